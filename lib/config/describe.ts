/**
 * Documentation rows generated from a schema, so the ops docs cannot drift from the code.
 * @module
 */
import type { ConfigSchema } from "./load.ts";

/** One documented setting. */
export interface SettingRow {
  /** Environment variable. */
  env: string;
  /** Config file key. */
  key: string;
  /** Value type. */
  type: string;
  /** Default as written in the schema (e.g. `16MiB`). */
  default: string;
  /** Description, plus the allowed values of an enum. */
  description: string;
}

/**
 * Rows (env, key, type, default, description) in schema order.
 *
 * @example
 * ```ts
 * for (const r of describeSettings(ingestSchema)) console.log(`| ${r.env} | ${r.default} | ${r.description} |`);
 * ```
 */
export function describeSettings(schema: ConfigSchema): SettingRow[] {
  return Object.values(schema).map((s) => {
    const d = s.default;
    const def = Array.isArray(d) ? d.join(",") : String(d);
    const description = s.type === "enum" && s.values
      ? `${s.description} One of: ${s.values.join(", ")}.`
      : s.description;
    return { env: s.env, key: s.key, type: s.type, default: def, description };
  });
}
