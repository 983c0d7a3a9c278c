/**
 * HTTP helpers shared by the services.
 * @module
 */
export * from "./auth.ts";
export * from "./rate_limit.ts";
