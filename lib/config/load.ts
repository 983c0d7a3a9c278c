/**
 * Loading a typed config from defaults, an optional YAML file and the environment.
 * @module
 */
import { parse } from "yaml";
import type { Setting, SettingType } from "./setting.ts";
import { parseValue, type ValueOf } from "./_parse.ts";

/** A schema: property name → setting. The property names become the config's keys. */
// deno-lint-ignore no-explicit-any
export type ConfigSchema = Record<string, Setting<any, any>>;

/** The typed config produced from a schema. */
export type ConfigOf<S extends ConfigSchema> = {
  readonly [K in keyof S]: S[K] extends Setting<infer T extends SettingType, infer V extends string>
    ? ValueOf<T, V>
    : never;
};

/** One invalid setting. */
export interface ConfigIssue {
  /** Environment variable name of the setting (empty for an unknown file key). */
  env: string;
  /** File key of the setting. */
  key: string;
  /** Where the bad value came from. */
  source: "env" | "file";
  /** The offending value, as given. */
  value: string;
  /** What would have been accepted. */
  expected: string;
}

/**
 * Invalid configuration. The message names every bad setting (env name and file key), the bad
 * value and what is expected, e.g.
 * `invalid setting OBSTACK_INGEST_MAX_BODY_BYTES (ingest.max_body_bytes) from env: "ten" — expected a byte size such as 16MiB, 500KB or 1048576`.
 */
export class ConfigError extends Error {
  /** All problems found (at least one). */
  readonly issues: readonly ConfigIssue[];

  /** Creates the error from its issues, or from a plain message (file-level problems). */
  constructor(issues: ConfigIssue[], message?: string) {
    super(message ?? issues.map(formatIssue).join("\n"));
    this.name = "ConfigError";
    this.issues = issues;
  }
}

function formatIssue(i: ConfigIssue): string {
  const what = i.env ? `setting ${i.env} (${i.key})` : `config file key ${i.key}`;
  const max = 200;
  const v = i.value.length > max ? i.value.slice(0, max) + "…" : i.value;
  return `invalid ${what} from ${i.source}: ${JSON.stringify(v)} — expected ${i.expected}`;
}

function show(raw: unknown): string {
  if (typeof raw === "string") return raw;
  try {
    return JSON.stringify(raw) ?? String(raw);
  } catch {
    return String(raw);
  }
}

/** Looks up a dotted key in nested mappings; a literal dotted key at top level also works. */
function lookup(doc: Record<string, unknown>, key: string): unknown {
  if (Object.hasOwn(doc, key)) return doc[key];
  let cur: unknown = doc;
  for (const part of key.split(".")) {
    if (typeof cur !== "object" || cur === null || Array.isArray(cur)) return undefined;
    if (!Object.hasOwn(cur, part)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** All leaf keys of a nested mapping, dotted. */
function leafKeys(doc: Record<string, unknown>, prefix = ""): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(doc)) {
    const full = prefix + k;
    if (typeof v === "object" && v !== null && !Array.isArray(v)) {
      out.push(...leafKeys(v as Record<string, unknown>, full + "."));
    } else out.push(full);
  }
  return out;
}

/** Options of {@linkcode loadConfig}. */
export interface LoadConfigOptions {
  /** Ignore file keys the schema does not know (a file shared by several services). */
  allowUnknownKeys?: boolean;
}

/**
 * Builds the typed config. Precedence: default < file < environment. An empty environment
 * variable counts as unset. Throws {@linkcode ConfigError} listing every invalid setting; a
 * file key the schema does not know is an error too (catches typos) unless allowed.
 *
 * @example
 * ```ts
 * const cfg = loadConfig({ listen: listenSetting }, Deno.env.toObject(), "obstack.yaml");
 * Deno.serve({ hostname: cfg.listen.hostname, port: cfg.listen.port }, handler);
 * ```
 */
export function loadConfig<S extends ConfigSchema>(
  schema: S,
  env: Record<string, string | undefined> = Deno.env.toObject(),
  file?: string,
  opts: LoadConfigOptions = {},
): ConfigOf<S> {
  let doc: Record<string, unknown> = {};
  if (file !== undefined) {
    let text: string;
    try {
      text = Deno.readTextFileSync(file);
    } catch (e) {
      throw new ConfigError(
        [],
        `cannot read config file ${file}: ${e instanceof Error ? e.message : e}`,
      );
    }
    let parsed: unknown;
    try {
      parsed = parse(text);
    } catch (e) {
      throw new ConfigError(
        [],
        `config file ${file} is not valid YAML: ${e instanceof Error ? e.message : e}`,
      );
    }
    if (parsed !== null && parsed !== undefined) {
      if (typeof parsed !== "object" || Array.isArray(parsed)) {
        throw new ConfigError([], `config file ${file} must be a mapping of keys to values`);
      }
      doc = parsed as Record<string, unknown>;
    }
  }

  const issues: ConfigIssue[] = [];
  if (!opts.allowUnknownKeys) {
    const known = new Set(Object.values(schema).map((s) => s.key));
    for (const k of leafKeys(doc)) {
      if (!known.has(k)) {
        issues.push({
          env: "",
          key: k,
          source: "file",
          value: show(lookup(doc, k)),
          expected: "a known key (see describeSettings)",
        });
      }
    }
  }

  const out: Record<string, unknown> = {};
  for (const [prop, setting] of Object.entries(schema)) {
    let value: unknown = setting.defaultValue;
    const fromFile = lookup(doc, setting.key);
    if (fromFile !== undefined && fromFile !== null) {
      const r = parseValue(setting, fromFile);
      if (r.ok) value = r.value;
      else {issues.push({
          env: setting.env,
          key: setting.key,
          source: "file",
          value: show(fromFile),
          expected: r.expected,
        });}
    }
    const fromEnv = env[setting.env];
    if (fromEnv !== undefined && fromEnv !== "") {
      const r = parseValue(setting, fromEnv);
      if (r.ok) value = r.value;
      else {issues.push({
          env: setting.env,
          key: setting.key,
          source: "env",
          value: fromEnv,
          expected: r.expected,
        });}
    }
    out[prop] = value;
  }
  if (issues.length) throw new ConfigError(issues);
  return Object.freeze(out) as ConfigOf<S>;
}

/**
 * Loads a service's config the way every Obstack service does: defaults, then the YAML file
 * named by `OBSTACK_CONFIG_FILE` if set, then the environment. The file may be shared by
 * ingest, the forwarder and the console, so keys of the other services are allowed in it.
 *
 * @example
 * ```ts
 * const cfg = loadServiceConfig(ingestSchema); // reads Deno.env and $OBSTACK_CONFIG_FILE
 * ```
 */
export function loadServiceConfig<S extends ConfigSchema>(
  schema: S,
  env: Record<string, string | undefined> = Deno.env.toObject(),
): ConfigOf<S> {
  const file = env.OBSTACK_CONFIG_FILE || undefined;
  return loadConfig(schema, env, file, { allowUnknownKeys: file !== undefined });
}
