/**
 * Structured JSON logging.
 * @module
 */
export * from "./logger.ts";
