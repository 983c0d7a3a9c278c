/**
 * HTTP helpers shared by the services.
 * @module
 */
export * from "./auth.ts";
