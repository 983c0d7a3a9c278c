/**
 * Tenants: tokens, the tenants file, the registry and rate limits.
 * @module
 */
export * from "./tenant.ts";
export * from "./token.ts";
export * from "./store.ts";
export * from "./registry.ts";
export * from "./rate_limiter.ts";
export * from "./password.ts";
