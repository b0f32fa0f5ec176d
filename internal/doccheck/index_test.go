package doccheck

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
)

// index is what the repository declares, read with go/parser from every Go
// file under the root: no build, no network.
type index struct {
	root string
	// byName are the packages by package name ("leadership"), byDir by
	// directory relative to the root ("internal/clock"). A directory's
	// external test package (x_test) counts as package x.
	byName map[string][]*pkgDecls
	byDir  map[string]*pkgDecls
	// types are every type declared in the repository, by name.
	types map[string][]*typeDecl
	// names are every name declared anywhere: top-level names, fields
	// and methods, exported or not; and every string constant that could
	// be one (a subtest's name).
	names map[string]bool
	// literals are every string constant: a row's name, a reason, a
	// metric.
	literals map[string]bool
	// tests are the Test, Benchmark, Fuzz and Example functions.
	tests []string
	// packageDocs are the package doc comments of non-test files.
	packageDocs []packageDoc
}

// pkgDecls is one package's top-level declarations.
type pkgDecls struct {
	name, dir string
	decls     map[string]bool
	types     map[string]*typeDecl
}

// typeDecl is one declared type: its fields and methods, and the types it
// embeds (or, for a defined type, is based on), whose members it shares.
type typeDecl struct {
	pkg     *pkgDecls
	members map[string]bool
	embeds  []typeRef
}

// typeRef names a type as written: pkg is "" for the declaring package.
type typeRef struct{ pkg, name string }

// packageDoc is a package doc comment: where it is and its lines.
type packageDoc struct {
	file  string // relative to the root
	lines []docLine
}

// docLine is one line of a doc, with its line number in the file.
type docLine struct {
	n    int
	text string
}

// skipDir reports directories whose Go files are not the repository's
// own: version control, hidden directories and test data.
func skipDir(name string) bool {
	return name != "." && (strings.HasPrefix(name, ".") || name == "testdata" || name == "vendor")
}

// loadIndex parses every Go file under root, on every core: parsing is
// most of the test's time.
func loadIndex(root string) (*index, error) {
	ix := &index{root: root, byName: map[string][]*pkgDecls{}, byDir: map[string]*pkgDecls{}, types: map[string][]*typeDecl{}, names: map[string]bool{}, literals: map[string]bool{}}
	var paths []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && skipDir(d.Name()) && path != root:
			return filepath.SkipDir
		case !d.IsDir() && strings.HasSuffix(path, ".go"):
			paths = append(paths, path)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	fset := token.NewFileSet()
	files := make([]*ast.File, len(paths))
	errs := make([]error, len(paths))
	next := make(chan int)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := range next {
				files[i], errs[i] = parser.ParseFile(fset, paths[i], nil, parser.ParseComments|parser.SkipObjectResolution)
			}
		})
	}
	for i := range paths {
		next <- i
	}
	close(next)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	for i, f := range files {
		rel, _ := filepath.Rel(root, paths[i])
		ix.add(fset, filepath.ToSlash(rel), f)
	}
	return ix, nil
}

// add records one parsed file.
func (ix *index) add(fset *token.FileSet, rel string, f *ast.File) {
	dir := pathDir(rel)
	p := ix.byDir[dir]
	if p == nil {
		p = &pkgDecls{name: strings.TrimSuffix(f.Name.Name, "_test"), dir: dir, decls: map[string]bool{}, types: map[string]*typeDecl{}}
		ix.byDir[dir] = p
		ix.byName[p.name] = append(ix.byName[p.name], p)
	}
	test := strings.HasSuffix(rel, "_test.go")
	if f.Doc != nil && !test {
		doc := packageDoc{file: rel}
		for _, c := range f.Doc.List {
			line := fset.Position(c.Slash).Line
			text := strings.TrimPrefix(strings.TrimPrefix(c.Text, "//"), "/*")
			for i, l := range strings.Split(text, "\n") {
				doc.lines = append(doc.lines, docLine{n: line + i, text: l})
			}
		}
		ix.packageDocs = append(ix.packageDocs, doc)
	}
	ast.Inspect(f, func(n ast.Node) bool {
		if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
			if v, err := strconv.Unquote(lit.Value); err == nil {
				ix.literals[v] = true
				if token.IsIdentifier(v) {
					ix.names[v] = true
				}
			}
		}
		return true
	})
	for _, decl := range f.Decls {
		switch d := decl.(type) {
		case *ast.FuncDecl:
			ix.addFunc(p, d, test)
		case *ast.GenDecl:
			for _, spec := range d.Specs {
				ix.addSpec(p, spec)
			}
		}
	}
}

// addFunc records a function, or a method on its receiver's type.
func (ix *index) addFunc(p *pkgDecls, d *ast.FuncDecl, test bool) {
	name := d.Name.Name
	ix.names[name] = true
	if d.Recv == nil || len(d.Recv.List) == 0 {
		p.decls[name] = true
		if test && isTestName(name) {
			ix.tests = append(ix.tests, name)
		}
		return
	}
	if ref, ok := refOf(d.Recv.List[0].Type); ok {
		p.typeNamed(ix, ref.name).members[name] = true
	}
}

// addSpec records a type, a variable or a constant.
func (ix *index) addSpec(p *pkgDecls, spec ast.Spec) {
	switch s := spec.(type) {
	case *ast.ValueSpec:
		for _, n := range s.Names {
			p.decls[n.Name] = true
			ix.names[n.Name] = true
		}
	case *ast.TypeSpec:
		p.decls[s.Name.Name] = true
		ix.names[s.Name.Name] = true
		t := p.typeNamed(ix, s.Name.Name)
		switch u := s.Type.(type) {
		case *ast.StructType:
			ix.addFields(t, u.Fields)
		case *ast.InterfaceType:
			ix.addFields(t, u.Methods)
		default:
			if ref, ok := refOf(u); ok {
				t.embeds = append(t.embeds, ref)
			}
		}
	}
}

// addFields records a struct's fields or an interface's methods; an
// embedded type is a member by its name and lends its own members.
func (ix *index) addFields(t *typeDecl, fields *ast.FieldList) {
	for _, f := range fields.List {
		for _, n := range f.Names {
			t.members[n.Name] = true
			ix.names[n.Name] = true
		}
		if len(f.Names) == 0 {
			if ref, ok := refOf(f.Type); ok {
				t.members[ref.name] = true
				t.embeds = append(t.embeds, ref)
			}
		}
	}
}

// typeNamed returns the package's type called name, creating it: a method
// may be parsed before its type.
func (p *pkgDecls) typeNamed(ix *index, name string) *typeDecl {
	t := p.types[name]
	if t == nil {
		t = &typeDecl{pkg: p, members: map[string]bool{}}
		p.types[name] = t
		ix.types[name] = append(ix.types[name], t)
	}
	return t
}

// refOf names the type an expression denotes, through pointers and type
// arguments: *T, pkg.T, T[K].
func refOf(e ast.Expr) (typeRef, bool) {
	switch x := e.(type) {
	case *ast.Ident:
		return typeRef{name: x.Name}, true
	case *ast.StarExpr:
		return refOf(x.X)
	case *ast.SelectorExpr:
		if pkg, ok := x.X.(*ast.Ident); ok {
			return typeRef{pkg: pkg.Name, name: x.Sel.Name}, true
		}
	case *ast.IndexExpr:
		return refOf(x.X)
	case *ast.IndexListExpr:
		return refOf(x.X)
	}
	return typeRef{}, false
}

// hasMember reports whether t has the field or method name, its own or
// one it gets from a type it embeds in the repository.
func (ix *index) hasMember(t *typeDecl, name string, seen map[*typeDecl]bool) bool {
	if t.members[name] {
		return true
	}
	if seen[t] {
		return false
	}
	seen[t] = true
	for _, e := range t.embeds {
		pkgs := []*pkgDecls{t.pkg}
		if e.pkg != "" {
			pkgs = ix.byName[e.pkg]
		}
		for _, p := range pkgs {
			if inner := p.types[e.name]; inner != nil && ix.hasMember(inner, name, seen) {
				return true
			}
		}
	}
	return false
}

// isTestName reports whether a function name is one go test runs.
func isTestName(name string) bool {
	for _, prefix := range []string{"Test", "Benchmark", "Fuzz", "Example"} {
		if rest, ok := strings.CutPrefix(name, prefix); ok && (rest == "" || rest[0] == '_' || strings.ToUpper(rest[:1]) == rest[:1]) {
			return true
		}
	}
	return false
}

// pathDir is the directory of a slash-separated relative path, "." at the
// root.
func pathDir(rel string) string {
	if i := strings.LastIndexByte(rel, '/'); i >= 0 {
		return rel[:i]
	}
	return "."
}
