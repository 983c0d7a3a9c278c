/**
 * Declaring a setting: its environment name, file key, type, default and documentation.
 * @module
 */
import { parseValue, type SettingType, type ValueOf } from "./_parse.ts";

export type { SettingType, ValueOf } from "./_parse.ts";
export type { Listen } from "./_parse.ts";

/** What {@linkcode defineSetting} takes. */
export interface SettingSpec<T extends SettingType, V extends string = string> {
  /** Environment variable, e.g. `OBSTACK_INGEST_LISTEN`. */
  env: string;
  /** Key in the YAML config file; dots nest (`kafka.brokers`). */
  key: string;
  /** Value type; decides parsing and validation. */
  type: T;
  /**
   * Default, written as a user would write it (`"16MiB"`, `"10s"`, `"a,b"`), or already typed.
   * It is parsed with the same rules as user input when the setting is defined.
   */
  default: string | number | boolean | readonly string[];
  /** One sentence for the operations documentation. */
  description: string;
  /** Allowed values, for `enum`. */
  values?: readonly V[];
  /** Lower bound (numbers; bytes; durations in ms; list length). */
  min?: number;
  /** Upper bound (numbers; bytes; durations in ms; list length). */
  max?: number;
}

/** A defined setting; its default has been parsed and validated. */
export interface Setting<T extends SettingType = SettingType, V extends string = string>
  extends SettingSpec<T, V> {
  /** The parsed default value. */
  readonly defaultValue: ValueOf<T, V>;
}

/**
 * Defines a setting. Throws if the spec or its default is invalid (a programming error).
 *
 * @example
 * ```ts
 * const maxBody = defineSetting({
 *   env: "OBSTACK_INGEST_MAX_BODY_BYTES", key: "ingest.max_body_bytes", type: "bytes",
 *   default: "16MiB", description: "Largest accepted request body, as sent (compressed).",
 * });
 * ```
 */
export function defineSetting<const T extends SettingType, const V extends string = string>(
  spec: SettingSpec<T, V>,
): Setting<T, V> {
  if (!/^[A-Z][A-Z0-9_]*$/.test(spec.env)) {
    throw new TypeError(`defineSetting: invalid env name ${JSON.stringify(spec.env)}`);
  }
  if (!/^[a-z0-9_]+(\.[a-z0-9_]+)*$/.test(spec.key)) {
    throw new TypeError(`defineSetting(${spec.env}): invalid key ${JSON.stringify(spec.key)}`);
  }
  if (spec.type === "enum" && (!spec.values || spec.values.length === 0)) {
    throw new TypeError(`defineSetting(${spec.env}): enum needs values`);
  }
  const parsed = parseValue(spec, spec.default);
  if (!parsed.ok) {
    throw new TypeError(
      `defineSetting(${spec.env}): default ${
        JSON.stringify(spec.default)
      } is invalid: expected ${parsed.expected}`,
    );
  }
  return Object.freeze({ ...spec, defaultValue: parsed.value as ValueOf<T, V> });
}
