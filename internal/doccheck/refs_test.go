package doccheck

import (
	"regexp"
	"sort"
	"strings"
)

// refKind says what a reference names and so how it is looked up.
type refKind int

const (
	// refPath: a file or directory of the repository.
	refPath refKind = iota + 1
	// refLink: a Markdown link's target, relative to the page.
	refLink
	// refChain: a qualified identifier, pkg.Name or Type.Member.
	refChain
	// refBare: a lone identifier quoted in Markdown.
	refBare
	// refTest: a test function, named exactly.
	refTest
	// refRun: a go test -run pattern, which must match some test.
	refRun
	// refRow: a row of a decision table, named by the text of its when.
	refRow
)

// ref is one name a doc uses, with where it uses it.
type ref struct {
	doc  string // the doc's path relative to the root
	line int
	kind refKind
	name string
}

var (
	// urlRe matches URLs, which name nothing in the repository.
	urlRe = regexp.MustCompile(`[a-z][a-z0-9+.-]*://[^\s)>\]` + "`" + `]*`)
	// fileRe matches a path ending in a file name with an extension the
	// repository's docs name: main.go, fsm/core_rows.go, ../docs/x.md.
	fileRe = regexp.MustCompile(`(?:\.{1,2}/)*(?:[A-Za-z0-9_.-]+/)*[A-Za-z0-9_-][A-Za-z0-9_.-]*\.(?:go|md)\b`)
	// chainRe matches a dotted identifier, possibly after a package's
	// directory: fsm.Step, Config.TTL, internal/clock.Drifting.
	chainRe = regexp.MustCompile(`(?:[a-z][a-z0-9_-]*/)*[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+`)
	// testRe matches the name of a test function.
	testRe = regexp.MustCompile(`\b(?:Test|Benchmark|Fuzz|Example)[A-Z_][A-Za-z0-9_]*\b`)
	// runRe matches a go test -run flag and its pattern.
	runRe = regexp.MustCompile(`(?:^|[\s` + "`" + `])-run[= ]+('[^']*'|"[^"]*"|[^\s` + "`" + `]+)`)
	// bareRe matches a quoted span that is one identifier, perhaps a
	// pointer, a call or a composite literal: acquireDone, *Resign{...}.
	bareRe = regexp.MustCompile(`^\*?([A-Za-z_][A-Za-z0-9_]*)(?:\(.*\)|\{.*\})?$`)
	// wordRe matches a word in mixed case.
	wordRe = regexp.MustCompile(`\b[A-Za-z][a-z0-9]*[A-Z][A-Za-z0-9]*\b`)
	// rowRe matches rows named by their text: the row "renewed in time",
	// the rows "a" and "b".
	rowRe = regexp.MustCompile(`\brows?\s+("[^"]+"(?:(?:,\s*|\s+and\s+|\s+or\s+)"[^"]+")*)`)
	// quotedRe matches one quoted row name.
	quotedRe = regexp.MustCompile(`"([^"]+)"`)
	// linkRe matches a Markdown link's target.
	linkRe = regexp.MustCompile(`\]\(([^)\s]+)\)`)
)

// scanner collects the references of one doc.
type scanner struct {
	doc string
	// dirRe matches a path that starts with one of the repository's
	// top-level directories: it names a directory of ours even without a
	// file name (internal/sim/, ./cmd/load).
	dirRe *regexp.Regexp
	refs  []ref
}

// newScanner returns a scanner of doc in a repository with the top-level
// directories topDirs.
func newScanner(doc string, topDirs []string) *scanner {
	quoted := make([]string, len(topDirs))
	for i, d := range topDirs {
		quoted[i] = regexp.QuoteMeta(d)
	}
	re := regexp.MustCompile(`(?:\./)?(?:` + strings.Join(quoted, "|") + `)/(?:[A-Za-z0-9_-]+/?)*`)
	return &scanner{doc: doc, dirRe: re}
}

func (s *scanner) add(line int, kind refKind, name string) {
	s.refs = append(s.refs, ref{doc: s.doc, line: line, kind: kind, name: name})
}

// markdown collects the references of a Markdown page: in code (quoted
// spans and fenced blocks) every kind; in prose paths, links, chains and
// tests.
func (s *scanner) markdown(text string) {
	lines := strings.Split(text, "\n")
	prose := make([]string, len(lines))
	fenced := false
	for i, l := range lines {
		trimmed := strings.TrimSpace(l)
		if strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~") {
			fenced = !fenced
			continue
		}
		if fenced {
			s.code(l, i+1, false)
			continue
		}
		prose[i] = l
	}
	joined := strings.Join(prose, "\n")
	rest := []byte(joined)
	for _, sp := range inlineSpans(joined) {
		s.code(sp.text, lineAt(joined, sp.start), true)
		for i := sp.start; i < sp.end; i++ {
			if rest[i] != '\n' {
				rest[i] = ' '
			}
		}
	}
	s.rows(string(rest), func(offset int) int { return lineAt(joined, offset) })
	for i, l := range strings.Split(string(rest), "\n") {
		for _, m := range linkRe.FindAllStringSubmatch(l, -1) {
			if target := linkTarget(m[1]); target != "" {
				s.add(i+1, refLink, target)
			}
		}
		_ = s.prose(linkRe.ReplaceAllString(l, "]"), i+1)
	}
}

// comment collects the references of a package doc comment: as in
// Markdown prose, and since a doc comment names identifiers without
// quotes, every word in mixed case (LeaseStore, acquireDone), the way Go
// doc links them.
func (s *scanner) comment(lines []docLine) {
	texts := make([]string, len(lines))
	for i, l := range lines {
		texts[i] = l.text
	}
	joined := strings.Join(texts, "\n")
	s.rows(joined, func(offset int) int { return lines[lineAt(joined, offset)-1].n })
	for _, l := range lines {
		rest := s.prose(l.text, l.n)
		for _, w := range wordRe.FindAllString(rest, -1) {
			if identLike(w) {
				s.add(l.n, refBare, w)
			}
		}
	}
}

// rows collects the rows text names, which may run across lines; lineOf
// gives the line of an offset.
func (s *scanner) rows(text string, lineOf func(int) int) {
	for _, m := range rowRe.FindAllStringSubmatchIndex(text, -1) {
		for _, q := range quotedRe.FindAllStringSubmatch(text[m[2]:m[3]], -1) {
			s.add(lineOf(m[0]), refRow, strings.Join(strings.Fields(q[1]), " "))
		}
	}
}

// code collects the references in a quoted span (quoted) or a line of a
// fenced block: those of prose, and a quoted span that is one identifier.
func (s *scanner) code(text string, line int, quoted bool) {
	if m := bareRe.FindStringSubmatch(strings.TrimSpace(text)); quoted && m != nil && identLike(m[1]) && !testRe.MatchString(m[1]) {
		s.add(line, refBare, m[1])
	}
	_ = s.prose(text, line)
}

// prose collects paths, tests and dotted identifiers, and returns text
// without them. Which of the dotted ones name something of ours is
// decided when they are looked up.
func (s *scanner) prose(text string, line int) string {
	if !strings.ContainsAny(text, "./") && !mayNameTest(text) {
		return text // most lines of prose: nothing to look for, and no regexp run
	}
	text = s.paths(text, line)
	text = s.tests(text, line)
	if !strings.Contains(text, ".") {
		return text
	}
	b := []byte(text)
	for _, m := range chainRe.FindAllStringIndex(text, -1) {
		// After '-' it is a flag (-sim.runs); after '$' or '.', part
		// of a subject ($KV.bucket).
		if m[0] == 0 || !strings.ContainsRune("$.-", rune(text[m[0]-1])) {
			s.add(line, refChain, text[m[0]:m[1]])
			copy(b[m[0]:m[1]], blank(text[m[0]:m[1]]))
		}
	}
	return string(b)
}

// paths collects file and directory paths in text and returns text with
// them blanked, so that main.go is not taken for an identifier.
func (s *scanner) paths(text string, line int) string {
	if strings.Contains(text, "://") {
		text = urlRe.ReplaceAllStringFunc(text, blank)
	}
	if !strings.Contains(text, ".go") && !strings.Contains(text, ".md") {
		return replaceBounded(s.dirRe, text, func(p string) { s.add(line, refPath, p) })
	}
	text = replaceBounded(fileRe, text, func(p string) {
		first, _, nested := strings.Cut(strings.TrimLeft(p, "./"), "/")
		if nested && strings.Contains(first, ".") {
			return // a module path such as github.com/nats-io/nats.go
		}
		s.add(line, refPath, p)
	})
	return replaceBounded(s.dirRe, text, func(p string) { s.add(line, refPath, p) })
}

// tests collects the test names in text, those of a -run pattern as the
// pattern, and returns text without them.
func (s *scanner) tests(text string, line int) string {
	if !mayNameTest(text) {
		return text
	}
	text = runRe.ReplaceAllStringFunc(text, func(m string) string {
		if pattern := strings.Trim(runRe.FindStringSubmatch(m)[1], `'"`); pattern != "^$" { // ^$: run no test
			s.add(line, refRun, pattern)
		}
		return blank(m)
	})
	return testRe.ReplaceAllStringFunc(text, func(m string) string {
		s.add(line, refTest, m)
		return blank(m)
	})
}

// mayNameTest reports whether text may name a test or a -run pattern:
// testRe and runRe need not run on the rest.
func mayNameTest(text string) bool {
	for _, word := range []string{"Test", "Benchmark", "Fuzz", "Example", "-run"} {
		if strings.Contains(text, word) {
			return true
		}
	}
	return false
}

// replaceBounded calls found for each match of re in text that does not
// continue a longer word or path, or go on as a dotted identifier
// (internal/clock.Drifting), and blanks it.
func replaceBounded(re *regexp.Regexp, text string, found func(string)) string {
	b := []byte(text)
	for _, m := range re.FindAllStringIndex(text, -1) {
		if m[0] > 0 && strings.ContainsRune(wordChars+"-/.$", rune(text[m[0]-1])) {
			continue
		}
		if m[1]+1 < len(text) && text[m[1]] == '.' && strings.ContainsRune(wordChars, rune(text[m[1]+1])) {
			continue
		}
		found(strings.TrimRight(text[m[0]:m[1]], "."))
		for i := m[0]; i < m[1]; i++ {
			b[i] = ' '
		}
	}
	return string(b)
}

// span is a quoted code span of a Markdown page.
type span struct {
	start, end int // of the span with its backticks
	text       string
}

// inlineSpans finds the code spans of text: a run of backticks up to the
// next run of the same length, across lines.
func inlineSpans(text string) []span {
	var spans []span
	for i := 0; i < len(text); {
		if text[i] != '`' {
			i++
			continue
		}
		n := 0
		for i+n < len(text) && text[i+n] == '`' {
			n++
		}
		open := i + n
		closed := -1
		for j := open; j < len(text); {
			if text[j] != '`' {
				j++
				continue
			}
			k := 0
			for j+k < len(text) && text[j+k] == '`' {
				k++
			}
			if k == n {
				closed = j
				break
			}
			j += k
		}
		if closed < 0 {
			i = open
			continue
		}
		spans = append(spans, span{start: i, end: closed + n, text: strings.ReplaceAll(text[open:closed], "\n", " ")})
		i = closed + n
	}
	return spans
}

// lineAt is the 1-based line of offset in text.
func lineAt(text string, offset int) int { return strings.Count(text[:offset], "\n") + 1 }

// linkTarget is the repository path a link points to, or "" for a URL or
// an anchor on the same page.
func linkTarget(target string) string {
	if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
		return ""
	}
	target, _, _ = strings.Cut(target, "#")
	return target
}

// identLike reports whether a lone name is worth looking up: mixed case
// (acquireDone, LeaseStore), so neither a word (term, stopped) nor a
// constant of the world (TTL, GOMEMLIMIT, TTLs).
func identLike(name string) bool {
	acronyms := strings.TrimSuffix(name, "s") // TTLs
	return strings.ToLower(name) != name && strings.ToUpper(acronyms) != acronyms && !strings.Contains(name, "_")
}

// wordChars are the characters of a word or an identifier.
const wordChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"

// blank replaces s by as many spaces.
func blank(s string) string { return strings.Repeat(" ", len(s)) }

// sortRefs orders references by doc and line, for stable reports.
func sortRefs(refs []ref) {
	sort.SliceStable(refs, func(i, j int) bool {
		if refs[i].doc != refs[j].doc {
			return refs[i].doc < refs[j].doc
		}
		return refs[i].line < refs[j].line
	})
}
