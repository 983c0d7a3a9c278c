/**
 * Metrics reading for the console (Prometheus HTTP API, tenant-scoped PromQL).
 * @module
 */
export * from "./prometheus_reader.ts";
