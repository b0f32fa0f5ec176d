package doccheck

import (
	"bufio"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// module is this repository's module path: the root is the directory of
// the go.mod that declares it.
const module = "github.com/batonhq/baton"

// TestDocsNameOnlyWhatExists checks every file and identifier the docs
// name. A failure names the doc, the line and the missing name.
func TestDocsNameOnlyWhatExists(t *testing.T) {
	ix := repoIndex(t)
	refs, docs := collect(t, ix)
	checked, problems := check(ix, refs)
	for _, p := range problems {
		t.Error(p)
	}
	t.Logf("%d references checked in %d docs", checked, docs)
}

// check looks every reference up and returns how many it checked and a
// line "doc:line: name: problem" for each that names nothing.
func check(ix *index, refs []ref) (int, []string) {
	c := newChecker(ix, refs)
	checked := 0
	var problems []string
	for _, r := range refs {
		ok, problem := c.check(r)
		if ok {
			checked++
		}
		if problem != "" {
			problems = append(problems, fmt.Sprintf("%s:%d: %s: %s", r.doc, r.line, r.name, problem))
		}
	}
	return checked, problems
}

// collect scans every Markdown page but the changelog (a record of what
// was, by design) and every package doc comment.
func collect(t *testing.T, ix *index) ([]ref, int) {
	t.Helper()
	top := topDirs(t, ix.root)
	var refs []ref
	docs := 0
	err := filepath.WalkDir(ix.root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if skipDir(d.Name()) && p != ix.root {
				return filepath.SkipDir
			}
			return nil
		}
		rel, _ := filepath.Rel(ix.root, p)
		rel = filepath.ToSlash(rel)
		if !strings.HasSuffix(rel, ".md") || rel == "CHANGELOG.md" {
			return nil
		}
		text, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		s := newScanner(rel, top)
		s.markdown(string(text))
		refs = append(refs, s.refs...)
		docs++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, pd := range ix.packageDocs {
		s := newScanner(pd.file, top)
		s.comment(pd.lines)
		refs = append(refs, s.refs...)
		docs++
	}
	sortRefs(refs)
	return refs, docs
}

// topDirs lists the repository's top-level directories.
func topDirs(t *testing.T, root string) []string {
	t.Helper()
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	var dirs []string
	for _, e := range entries {
		if e.IsDir() && !skipDir(e.Name()) {
			dirs = append(dirs, e.Name())
		}
	}
	return dirs
}

var loadRepo = sync.OnceValues(func() (*index, error) {
	root, err := findRoot()
	if err != nil {
		return nil, err
	}
	return loadIndex(root)
})

// repoIndex is the index of the repository, read once per test binary.
func repoIndex(t *testing.T) *index {
	t.Helper()
	ix, err := loadRepo()
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

// findRoot walks up from the working directory to the module's go.mod.
func findRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if f, err := os.Open(filepath.Join(dir, "go.mod")); err == nil {
			line, _ := bufio.NewReader(f).ReadString('\n')
			_ = f.Close()
			if strings.TrimSpace(line) == "module "+module {
				return dir, nil
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod of %s above the working directory", module)
		}
		dir = parent
	}
}
