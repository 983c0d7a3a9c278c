/**
 * Console sessions: cookie, server-side store, login rate limit.
 * @module
 */
export * from "./cookie.ts";
export * from "./session_store.ts";
export * from "./login_limiter.ts";
