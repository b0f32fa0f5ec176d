package leadership

import "strings"

// The subjects an election serves while it leads, when asked to
// (Config.Requests.Serve, Config.Requests.Control). Each names the bucket
// and the role, so NATS subject permissions can grant or deny them per
// bucket and role:
//
//	baton.req.<bucket>.<role>                     requests to the leader (Request)
//	baton.ctl.<bucket>.resign.<instance>.<role>   ask that leader to resign (RequestResign)
//
// The role comes last because it may itself contain '.', as it does in the
// lease's KV subject; a permission on "baton.ctl.prod.resign.*.scheduler"
// allows asking whoever leads "scheduler" in bucket "prod" to resign, and
// "baton.ctl.prod.>" every control request of that bucket. An instance ID is
// one subject token: its '%', '.', '*' and '>' are written %25, %2E, %2A
// and %3E.

// RequestSubject is the subject the leader of role in bucket serves with
// Config.Requests.Serve.
func RequestSubject(bucket, role string) string {
	return "baton.req." + bucket + "." + role
}

// ResignSubject is the subject on which instance, while it leads role in
// bucket, takes requests to resign (Config.Requests.Control).
func ResignSubject(bucket, role, instance string) string {
	return "baton.ctl." + bucket + ".resign." + subjectToken(instance) + "." + role
}

// HandOffSubject is the subject on which instance, while it leads role in
// bucket, takes requests to hand its lease to a named candidate
// (Config.Requests.Control). It differs from ResignSubject so that
// permissions can allow one and not the other.
func HandOffSubject(bucket, role, instance string) string {
	return "baton.ctl." + bucket + ".handoff." + subjectToken(instance) + "." + role
}

// tokenEscaper makes any instance ID one subject token; '%' comes first so
// an escaped ID cannot collide with another ID.
var tokenEscaper = strings.NewReplacer("%", "%25", ".", "%2E", "*", "%2A", ">", "%3E")

// subjectToken escapes s into a single subject token.
func subjectToken(s string) string { return tokenEscaper.Replace(s) }
