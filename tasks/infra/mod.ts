/**
 * Native infrastructure for `deno task up` and the test bed: fetching/building each real
 * component into the cache outside the clone and supervising it as a process.
 *
 * @module
 */
export * from "./cache.ts";
export * from "./collector.ts";
export * from "./gobuild.ts";
export * from "./jaeger.ts";
export * from "./kafka.ts";
export * from "./opensearch.ts";
export * from "./ports.ts";
export * from "./process.ts";
export * from "./prometheus.ts";
export * from "./stack.ts";
export * from "./testbed.ts";
export * from "./victorialogs.ts";
