/**
 * Self-metrics in the Prometheus text format.
 * @module
 */
export * from "./registry.ts";
export * from "./handler.ts";
