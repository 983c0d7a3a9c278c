/**
 * Trace reading for the console: one interface, Tempo and Jaeger implementations.
 * @module
 */
export * from "./trace_reader.ts";
export * from "./tempo_reader.ts";
export * from "./jaeger_reader.ts";
