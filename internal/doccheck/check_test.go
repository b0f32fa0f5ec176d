package doccheck

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"unicode"
)

// upstream are names the docs take from dependencies, with where they are
// from; a name of ours never needs to be here.
var upstream = map[string]string{
	// Products, named in prose.
	"nats.go":       "the NATS client library",
	"Proto.Actor":   "the actor library",
	"JetStream":     "NATS",
	"KeyValue":      "NATS JetStream",
	"EventStream":   "Proto.Actor's actor system",
	"OpenTelemetry": "the telemetry standard",
	// nats.go's options and JetStream's stream and KV settings, named
	// without their package or With prefix.
	"ReconnectBufSize":             "nats.go",
	"ExpectLastSequencePerSubject": "nats.go jetstream",
	"MsgTTL":                       "nats.go jetstream",
	"History":                      "jetstream.KeyValueConfig",
	"AllowAtomicPublish":           "jetstream.StreamConfig",
	"AllowMsgTTL":                  "jetstream.StreamConfig",
	"AllowRollup":                  "jetstream.StreamConfig",
	"DenyDelete":                   "jetstream.StreamConfig",
	"MaxMsgsPerSubject":            "jetstream.StreamConfig",
	"SyncAlways":                   "nats-server's Options",
	// nats-server's code, read for the expiry marker and the sync setting.
	"filestore.go":                        "nats-server",
	"expireMsgs":                          "nats-server",
	"shouldProcessSdmLocked":              "nats-server",
	"handleRemovalOrSdm":                  "nats-server",
	"updateDurabilitySettingsLocked":      "nats-server",
	"processClusteredInboundMsg":          "nats-server",
	"processJetStreamMsg":                 "nats-server",
	"processJetStreamMsgWithBatch":        "nats-server",
	"processJetStreamMsgWithRollup":       "nats-server",
	"checkMsgHeadersPreClusteredProposal": "nats-server",
	"canConsistencyCheck":                 "nats-server",
	// etcd's election, measured next to ours, and Go's runtime.
	"Campaign":       "etcd concurrency.Election",
	"Session.Orphan": "etcd concurrency.Session",
	"HeapAlloc":      "runtime.MemStats",
}

// checker looks references up in the repository.
type checker struct {
	ix *index
	// near are, per doc, the directories its paths name: a file named
	// alone may be one of theirs (design.md names leadership/role_actor.go,
	// then callbacks.go).
	near map[string][]string
}

func newChecker(ix *index, refs []ref) *checker {
	c := &checker{ix: ix, near: map[string][]string{}}
	for _, r := range refs {
		if r.kind != refPath {
			continue
		}
		if found, ok := c.findPath(r.doc, r.name, nil); ok {
			dir := found
			if info, err := os.Stat(filepath.Join(ix.root, found)); err == nil && !info.IsDir() {
				dir = pathDir(found)
			}
			c.near[r.doc] = append(c.near[r.doc], dir)
		}
	}
	return c
}

// check looks r up: checked is false for a name that is not ours to check
// (a variable, a name from a dependency); problem is "" when it exists.
func (c *checker) check(r ref) (checked bool, problem string) {
	if _, ok := upstream[r.name]; ok {
		return false, ""
	}
	switch r.kind {
	case refPath:
		if !c.ours(r.doc, r.name) {
			return false, ""
		}
		if _, ok := c.findPath(r.doc, r.name, c.near[r.doc]); !ok {
			return true, "no such file or directory"
		}
	case refLink:
		target := path.Clean(path.Join(pathDir(r.doc), r.name))
		if _, err := os.Stat(filepath.Join(c.ix.root, filepath.FromSlash(target))); err != nil {
			return true, "the link's target " + target + " does not exist"
		}
	case refBare:
		if !c.ix.names[r.name] {
			return true, "nothing in the repository is declared with this name"
		}
	case refTest:
		for _, name := range c.ix.tests {
			if name == r.name {
				return true, ""
			}
		}
		return true, "no test function has this name"
	case refRun:
		return true, c.checkRun(r.name)
	case refRow:
		if !c.ix.literals[r.name] {
			return true, "no row, nor any string in the code, says this"
		}
	case refChain:
		return c.checkChain(r.name)
	}
	return true, ""
}

// ours reports whether a path named in doc is one of the repository's: a
// file named alone, or a path that starts at one of its top-level
// directories, at the doc's directory or at "." or "..". Any other
// (server/stream.go) is a dependency's.
func (c *checker) ours(doc, name string) bool {
	first, _, nested := strings.Cut(name, "/")
	if !nested || first == "." || first == ".." || c.isTopDir(first) {
		return true
	}
	_, err := os.Stat(filepath.Join(c.ix.root, filepath.FromSlash(pathDir(doc)), first))
	return err == nil
}

// findPath resolves a path named in doc against the doc's directory, the
// root, the root of the doc's module (a command's ./cmd/load) and the
// directories near it, and returns it relative to the root.
func (c *checker) findPath(doc, name string, near []string) (string, bool) {
	name = strings.TrimSuffix(name, "/")
	for _, dir := range append([]string{pathDir(doc), ".", c.moduleDir(doc)}, near...) {
		p := path.Clean(path.Join(dir, name))
		if strings.HasPrefix(p, "../") {
			continue
		}
		if _, err := os.Stat(filepath.Join(c.ix.root, filepath.FromSlash(p))); err == nil {
			return p, true
		}
	}
	return "", false
}

// checkRun checks that a -run pattern matches a test: go test matches
// each level of a pattern split at '/' against that level of test names,
// and the first level against the functions.
func (c *checker) checkRun(pattern string) string {
	first, _, _ := strings.Cut(pattern, "/")
	re, err := regexp.Compile(first)
	if err != nil {
		return fmt.Sprintf("not a pattern: %v", err)
	}
	for _, name := range c.ix.tests {
		if re.MatchString(name) {
			return ""
		}
	}
	return "the -run pattern matches no test function"
}

// checkChain checks a dotted identifier: pkg.Name[.Member] when it starts
// with one of the repository's packages (by name or directory),
// Type.Member when it starts with one of its types, and anything else
// starting with a capital letter is a type that should exist. A chain
// starting with another lower-case word is a variable or a package of a
// dependency (kv.Create, nats.ReconnectBufSize): not checked.
func (c *checker) checkChain(chain string) (bool, string) {
	dir, rest := "", chain
	if i := strings.LastIndexByte(chain, '/'); i >= 0 {
		dir, rest = chain[:i+1], chain[i+1:]
	}
	parts := strings.Split(rest, ".")
	if dir != "" {
		p := c.ix.byDir[dir+parts[0]]
		if p == nil {
			if top, _, _ := strings.Cut(dir, "/"); c.isTopDir(top) {
				return true, "no package in directory " + dir + parts[0]
			}
			return false, ""
		}
		return true, c.checkQualified([]*pkgDecls{p}, parts[1:])
	}
	if pkgs := c.ix.byName[parts[0]]; len(pkgs) > 0 && parts[0] != "main" {
		return true, c.checkQualified(pkgs, parts[1:])
	}
	if types := c.ix.types[parts[0]]; len(types) > 0 {
		return true, c.checkMember(types, parts[0], parts[1])
	}
	if unicode.IsUpper(rune(parts[0][0])) {
		return true, "no type " + parts[0] + " in the repository"
	}
	return false, ""
}

// checkQualified checks Name[.Member] in one of pkgs.
func (c *checker) checkQualified(pkgs []*pkgDecls, parts []string) string {
	var types []*typeDecl
	for _, p := range pkgs {
		if !p.decls[parts[0]] {
			continue
		}
		t := p.types[parts[0]]
		if len(parts) == 1 || t == nil {
			return "" // a value's members are not looked up
		}
		types = append(types, t)
	}
	if types == nil {
		return fmt.Sprintf("package %s declares no %s", pkgs[0].name, parts[0])
	}
	return c.checkMember(types, parts[0], parts[1])
}

// checkMember checks that one of the types called typeName has member.
func (c *checker) checkMember(types []*typeDecl, typeName, member string) string {
	for _, t := range types {
		if c.ix.hasMember(t, member, map[*typeDecl]bool{}) {
			return ""
		}
	}
	return fmt.Sprintf("type %s has no field or method %s", typeName, member)
}

// moduleDir is the directory of the go.mod nearest above doc.
func (c *checker) moduleDir(doc string) string {
	for dir := pathDir(doc); dir != "."; dir = pathDir(dir) {
		if _, err := os.Stat(filepath.Join(c.ix.root, filepath.FromSlash(dir), "go.mod")); err == nil {
			return dir
		}
	}
	return "."
}

// isTopDir reports whether name is a top-level directory of the repository.
func (c *checker) isTopDir(name string) bool {
	info, err := os.Stat(filepath.Join(c.ix.root, name))
	return err == nil && info.IsDir() && !skipDir(name)
}
