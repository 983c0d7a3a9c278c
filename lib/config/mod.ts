/**
 * Schema-driven configuration: defaults < YAML file < environment.
 * @module
 */
export * from "./setting.ts";
export * from "./load.ts";
export * from "./describe.ts";
export * from "./shared_settings.ts";
export { parseBytes, parseDuration, parseListen } from "./_parse.ts";
