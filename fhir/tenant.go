package fhir

import "context"

type tenantKey struct{}

// WithTenant returns a context that carries the tenant id. The tenant is
// decided once per request, by one middleware, and read by the store when it
// opens the transaction.
func WithTenant(ctx context.Context, tenant string) context.Context {
	return context.WithValue(ctx, tenantKey{}, tenant)
}

// TenantFrom returns the tenant of the context. A missing or empty tenant is
// reported as not ok; callers treat it as a programming error.
func TenantFrom(ctx context.Context) (string, bool) {
	t, ok := ctx.Value(tenantKey{}).(string)
	return t, ok && t != ""
}
