// Package interpret maps the decision core's effects onto the store's
// primitives: for each effect that touches the store, the one call that
// carries it out, and the core's input that its answer becomes. The
// election actor (leadership) and the tests that drive the core against a
// real server call it, so the choice of call is made in one place and the
// store decides nothing.
package interpret
