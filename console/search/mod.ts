/**
 * Advanced search for the console (OpenSearch, tenant indices only).
 * @module
 */
export * from "./opensearch_search.ts";
