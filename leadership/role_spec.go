package leadership

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/asynkron/protoactor-go/actor"
)

// RoleSpec describes one role run by a role manager (NewRoleManagerProps,
// NewRoleManager): the election to contest, where it sits in the role
// hierarchy, the actors that do its leader's work and its callbacks.
type RoleSpec struct {
	// Role is the name contested (Config.Role rules apply). Required and
	// unique within a manager.
	Role string
	// Parent is the role this one depends on, "" for a top-level role. A
	// child role campaigns only while this instance leads its parent, and
	// ends its term before the parent's term is reported over.
	Parent string
	// Config configures the role's election. Role and InstanceID may be left
	// empty: they are filled from the spec and the manager (and must match
	// them when set).
	Config Config
	// Work builds the actors that run only while this instance leads the
	// role, as children of the role's actor. They are spawned after the
	// term's Promoted is reported, restarted with backoff when they fail
	// (and stopped after the fifth failure within a minute), and stopped,
	// and confirmed stopped, before the term's Demoted is reported.
	Work []WorkFunc
	// ResignAfterWorkFailures makes the role resign its term once its work
	// actors failed that many times within the term, so another instance
	// can lead. 0 never resigns: a work actor that keeps failing is given up
	// and stays stopped until the next term.
	ResignAfterWorkFailures int
	// OnPromote runs when this instance becomes the role's leader, with the
	// term's token and a context cancelled as soon as the term ends. It may
	// run leader work until then.
	OnPromote func(ctx context.Context, t Token)
	// OnDemote runs when the term is over: after OnPromote of the same term
	// returned, after the role's work actors stopped, and after every child
	// role's OnDemote returned.
	OnDemote func(ctx context.Context, reason DemoteReason)
	// OnError runs when the role's election cannot make progress (see
	// Warning), in order with the other callbacks.
	OnError func(err error)
}

// WorkFunc returns the props of one leader-work actor for the term with
// token t. It is called once per term, on promotion; the actor is produced
// again from the same props after each restart, so every incarnation knows
// its term's token (pass it with every write to the resource it fences).
// Returning nil counts as a failure of the role's work.
type WorkFunc func(t Token) *actor.Props

// roleTree is the validated set of roles of one manager, or the one role
// of an Election facade. It does not change once built: every role actor
// of the manager reads it.
type roleTree struct {
	instanceID string
	// nodes are the roles, sorted by name, with resolved configs.
	nodes []roleNode
	// top are the top-level roles, sorted.
	top []string
}

// roleNode is one role of a tree.
type roleNode struct {
	spec RoleSpec
	// children are the role's child roles, sorted.
	children []string
}

// newRoleTree validates specs for instanceID (a default one when empty) and
// returns them as a tree. Every error wraps ErrInvalidConfig and names the
// role at fault.
func newRoleTree(instanceID string, specs []RoleSpec) (*roleTree, error) {
	if instanceID == "" {
		instanceID = defaultInstanceID()
	}
	if len(specs) == 0 {
		return nil, fmt.Errorf("%w: a role manager needs at least one RoleSpec", ErrInvalidConfig)
	}
	byRole := make(map[string]RoleSpec, len(specs))
	roles := make([]string, 0, len(specs))
	for i, spec := range specs {
		resolved, err := resolveSpec(i, spec, instanceID)
		if err != nil {
			return nil, err
		}
		if _, dup := byRole[spec.Role]; dup {
			return nil, fmt.Errorf("%w: role %q: declared twice", ErrInvalidConfig, spec.Role)
		}
		byRole[spec.Role] = resolved
		roles = append(roles, spec.Role)
	}
	slices.Sort(roles)
	for _, spec := range specs {
		if spec.Parent != "" {
			if _, ok := byRole[spec.Parent]; !ok {
				return nil, fmt.Errorf("%w: role %q: parent %q is not declared", ErrInvalidConfig, spec.Role, spec.Parent)
			}
		}
		if err := checkAncestry(byRole, spec.Role); err != nil {
			return nil, err
		}
	}
	children := make(map[string][]string, len(specs))
	for _, role := range roles {
		parent := byRole[role].Parent
		children[parent] = append(children[parent], role)
	}
	t := &roleTree{instanceID: instanceID, nodes: make([]roleNode, len(roles)), top: children[""]}
	for i, role := range roles {
		t.nodes[i] = roleNode{spec: byRole[role], children: children[role]}
	}
	return t, nil
}

// singleRoleTree is the tree of one top-level role whose spec is resolved
// already: an Election facade's.
func singleRoleTree(instanceID string, spec RoleSpec) *roleTree {
	return &roleTree{instanceID: instanceID, nodes: []roleNode{{spec: spec}}, top: []string{spec.Role}}
}

// resolveSpec checks one spec and resolves its config.
func resolveSpec(i int, spec RoleSpec, instanceID string) (RoleSpec, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: role %q: %s", ErrInvalidConfig, spec.Role, fmt.Sprintf(format, args...))
	}
	switch {
	case spec.Role == "":
		return spec, fmt.Errorf("%w: RoleSpec %d: Role is required", ErrInvalidConfig, i)
	case spec.Config.Role != "" && spec.Config.Role != spec.Role:
		return spec, bad("Config.Role %q differs from the spec's Role", spec.Config.Role)
	case spec.Config.InstanceID != "" && spec.Config.InstanceID != instanceID:
		return spec, bad("Config.InstanceID %q differs from the manager's instance %q", spec.Config.InstanceID, instanceID)
	case spec.ResignAfterWorkFailures < 0:
		return spec, bad("ResignAfterWorkFailures %d must not be negative", spec.ResignAfterWorkFailures)
	}
	for j, w := range spec.Work {
		if w == nil {
			return spec, bad("Work[%d] is nil", j)
		}
	}
	cfg := spec.Config
	cfg.Role, cfg.InstanceID = spec.Role, instanceID
	resolved, err := cfg.resolve()
	if err != nil {
		return spec, fmt.Errorf("role %q: %w", spec.Role, err)
	}
	return spec.withResolved(resolved), nil
}

// withResolved is spec run on its resolved config: its election waits for
// the role's work to stop before it releases a lease (the role actor
// answers every Demoted once OnDemote has returned), and the leader work
// the config asks for joins the spec's own.
func (spec RoleSpec) withResolved(cfg Config) RoleSpec {
	cfg.Succession.AwaitWorkStopped = true
	spec.Config = cfg
	spec.Work = append(slices.Clip(spec.Work), cfg.serviceWork()...)
	return spec
}

// node returns role's node, nil when the tree has no such role.
func (t *roleTree) node(role string) *roleNode {
	i := sort.Search(len(t.nodes), func(i int) bool { return t.nodes[i].spec.Role >= role })
	if i == len(t.nodes) || t.nodes[i].spec.Role != role {
		return nil
	}
	return &t.nodes[i]
}

// childrenOf returns role's child roles, sorted; for "", the top-level
// roles.
func (t *roleTree) childrenOf(role string) []string {
	if role == "" {
		return t.top
	}
	if n := t.node(role); n != nil {
		return n.children
	}
	return nil
}

// checkAncestry follows role's parents to the top and reports a loop.
func checkAncestry(specs map[string]RoleSpec, role string) error {
	chain := []string{role}
	for p := specs[role].Parent; p != ""; p = specs[p].Parent {
		chain = append(chain, p)
		if slices.Contains(chain[:len(chain)-1], p) {
			return fmt.Errorf("%w: role %q: its parents form a loop (%s)", ErrInvalidConfig, role, strings.Join(chain, " -> "))
		}
	}
	return nil
}

// descendants returns role and every role below it.
func (t *roleTree) descendants(role string) []string {
	out := []string{role}
	for _, child := range t.childrenOf(role) {
		out = append(out, t.descendants(child)...)
	}
	return out
}
