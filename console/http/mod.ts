/**
 * HTTP helpers of the console.
 * @module
 */
export * from "./respond.ts";
export * from "./origin.ts";
