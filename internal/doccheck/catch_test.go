package doccheck

import (
	"slices"
	"strings"
	"testing"
)

// TestMissingNamesAreCaught runs the check on a page and a package doc
// that name what does not exist, next to what does and what belongs to
// dependencies, and expects exactly the missing names, each with its line.
func TestMissingNamesAreCaught(t *testing.T) {
	ix := repoIndex(t)
	top := topDirs(t, ix.root)
	page := newScanner("docs/page.md", top)
	page.markdown(strings.Join([]string{
		"# A page",
		"The breaker is in `leadership/breaker.go`; the core is",
		"`fsm/core_step.go` and [the diagram](state-diagram.md), not [this](gone.md).",
		"See `fsm.NoSuchEffect`, `Config.NoSuchField`, `noSuchMessage` and `fsm.Step`,",
		"`Config.TTL`, `transport.LeaseStore.Acquire`, `transport.LeaseStore.Steal`.",
		"Run `go test ./fsm -run TestNoSuchTest`, or `go test ./fsm -run TestCoreProperties`.",
		"The rows \"renewed in time\" and \"renewed when it",
		"suited us\".",
		"```go",
		"store, err := transport.Open(ctx, nc, transport.NoSuchOptions{})",
		"```",
		"Not ours: nats-server's `server/filestore.go`, `kv.Create`, `jetstream.KeyValue`,",
		"https://example.com/leadership/breaker.go and `-sim.runs 100`.",
	}, "\n"))
	pkg := newScanner("leadership/doc.go", top)
	pkg.comment([]docLine{
		{n: 1, text: " Package leadership keeps its breaker in breaker.go, its lease store"},
		{n: 2, text: " behind LeaseStore and NoSuchStore, in JetStream; see election_actor.go."},
	})
	_, got := check(ix, append(page.refs, pkg.refs...))
	want := []string{
		"docs/page.md:2: leadership/breaker.go: ",
		"docs/page.md:3: gone.md: ",
		"docs/page.md:4: fsm.NoSuchEffect: ",
		"docs/page.md:4: Config.NoSuchField: ",
		"docs/page.md:4: noSuchMessage: ",
		"docs/page.md:5: transport.LeaseStore.Steal: ",
		"docs/page.md:6: TestNoSuchTest: ",
		"docs/page.md:7: renewed when it suited us: ",
		"docs/page.md:10: transport.NoSuchOptions: ",
		"leadership/doc.go:1: breaker.go: ",
		"leadership/doc.go:2: NoSuchStore: ",
	}
	for _, w := range want {
		if !slices.ContainsFunc(got, func(p string) bool { return strings.HasPrefix(p, w) }) {
			t.Errorf("not reported: %s...", w)
		}
	}
	for _, p := range got {
		if !slices.ContainsFunc(want, func(w string) bool { return strings.HasPrefix(p, w) }) {
			t.Errorf("reported, but exists or is not ours: %s", p)
		}
	}
}
