/**
 * Log reading for the console: one interface, Loki and VictoriaLogs implementations.
 * @module
 */
export * from "./log_reader.ts";
export * from "./loki_reader.ts";
export * from "./victorialogs_reader.ts";
