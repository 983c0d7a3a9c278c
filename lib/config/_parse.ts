/**
 * Parsers for setting values; shared by defaults, the config file and the environment.
 * @module
 */

/** Setting value types. */
export type SettingType =
  | "string"
  | "int"
  | "bytes"
  | "duration"
  | "bool"
  | "enum"
  | "list"
  | "url"
  | "listen";

/** A listen address, ready for `Deno.serve({ hostname, port })`. */
export interface Listen {
  /** Host name or IP (IPv6 without brackets). */
  hostname: string;
  /** TCP port, 0–65535. */
  port: number;
}

/** The parsed value type of each setting type. Durations are milliseconds; bytes are bytes. */
export type ValueOf<T extends SettingType, V extends string = string> = T extends "string" ? string
  : T extends "int" | "bytes" | "duration" ? number
  : T extends "bool" ? boolean
  : T extends "enum" ? V
  : T extends "list" ? string[]
  : T extends "url" ? string
  : T extends "listen" ? Listen
  : never;

/** The parts of a setting the parsers need. */
export interface ParseSpec {
  type: SettingType;
  values?: readonly string[];
  min?: number;
  max?: number;
}

/** Parse result: a value, or what was expected. */
export type Parsed = { ok: true; value: unknown } | { ok: false; expected: string };

const BYTE_UNITS: Record<string, number> = {
  "": 1,
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
};

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `16MiB`, `500KB`, `1000000` → bytes (KB/MB/GB are powers of 1000, KiB/MiB/GiB of 1024). */
export function parseBytes(s: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(s);
  if (!m) return undefined;
  const unit = BYTE_UNITS[m[2]!.toLowerCase()];
  if (unit === undefined) return undefined;
  const v = Number(m[1]) * unit;
  if (!Number.isSafeInteger(v)) return undefined;
  return v;
}

/** `250ms`, `5s`, `1m30s`, `2h`, `0` → milliseconds. */
export function parseDuration(s: string): number | undefined {
  const t = s.trim();
  if (t === "0") return 0;
  if (!/^(\d+(?:\.\d+)?(ms|s|m|h))+$/.test(t)) return undefined;
  let total = 0;
  for (const m of t.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) {
    total += Number(m[1]) * DURATION_UNITS[m[2]!]!;
  }
  total = Math.round(total);
  return Number.isSafeInteger(total) ? total : undefined;
}

/** `host:port`, `:port` (all interfaces), `[::1]:port`. */
export function parseListen(s: string): Listen | undefined {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^\s:\[\]]*)):(\d{1,5})$/.exec(s.trim());
  if (!m) return undefined;
  const port = Number(m[3]);
  if (port > 65535) return undefined;
  const hostname = m[1] ?? (m[2] === "" ? "0.0.0.0" : m[2]!);
  return { hostname, port };
}

function describeExpected(spec: ParseSpec): string {
  const range = spec.min !== undefined || spec.max !== undefined
    ? ` in [${spec.min ?? "-∞"}, ${spec.max ?? "∞"}]`
    : "";
  switch (spec.type) {
    case "string":
      return "a string";
    case "int":
      return `an integer${range}`;
    case "bytes":
      return `a byte size such as 16MiB, 500KB or 1048576${range}`;
    case "duration":
      return `a duration such as 250ms, 5s, 1m30s${range ? range + " (milliseconds)" : ""}`;
    case "bool":
      return "true or false";
    case "enum":
      return `one of ${(spec.values ?? []).join(", ")}`;
    case "list":
      return `a comma-separated list${range ? ` with a length${range}` : ""}`;
    case "url":
      return "an absolute http(s) URL";
    case "listen":
      return "host:port (e.g. 0.0.0.0:4318, [::]:4318, :4318)";
  }
}

function inRange(spec: ParseSpec, n: number): boolean {
  return (spec.min === undefined || n >= spec.min) && (spec.max === undefined || n <= spec.max);
}

/**
 * Parses a raw value from a default, the YAML file (which may already be typed: numbers,
 * booleans, lists) or the environment (always a string).
 */
export function parseValue(spec: ParseSpec, raw: unknown): Parsed {
  const fail: Parsed = { ok: false, expected: describeExpected(spec) };
  const str = typeof raw === "string" ? raw.trim() : undefined;
  switch (spec.type) {
    case "string":
      return typeof raw === "string"
        ? { ok: true, value: raw }
        : typeof raw === "number"
        ? { ok: true, value: String(raw) }
        : fail;
    case "int": {
      const n = typeof raw === "number"
        ? raw
        : str !== undefined && /^[-+]?\d+$/.test(str)
        ? Number(str)
        : NaN;
      return Number.isSafeInteger(n) && inRange(spec, n) ? { ok: true, value: n } : fail;
    }
    case "bytes": {
      const n = typeof raw === "number" ? raw : str !== undefined ? parseBytes(str) : undefined;
      return n !== undefined && Number.isSafeInteger(n) && n >= 0 && inRange(spec, n)
        ? { ok: true, value: n }
        : fail;
    }
    case "duration": {
      // A bare number is ambiguous (seconds? ms?), so only 0 is accepted without a unit.
      const n = raw === 0 ? 0 : str !== undefined ? parseDuration(str) : undefined;
      return n !== undefined && inRange(spec, n) ? { ok: true, value: n } : fail;
    }
    case "bool": {
      if (typeof raw === "boolean") return { ok: true, value: raw };
      const l = str?.toLowerCase();
      if (l === "true" || l === "1" || l === "yes" || l === "on") return { ok: true, value: true };
      if (l === "false" || l === "0" || l === "no" || l === "off") {
        return { ok: true, value: false };
      }
      return fail;
    }
    case "enum":
      return str !== undefined && (spec.values ?? []).includes(str)
        ? { ok: true, value: str }
        : fail;
    case "list": {
      let items: string[];
      if (Array.isArray(raw)) {
        if (!raw.every((x) => typeof x === "string" || typeof x === "number")) return fail;
        items = raw.map((x) => String(x).trim()).filter((x) => x !== "");
      } else if (str !== undefined) {
        items = str.split(",").map((x) => x.trim()).filter((x) => x !== "");
      } else return fail;
      return inRange(spec, items.length) ? { ok: true, value: items } : fail;
    }
    case "url": {
      if (str === undefined || !URL.canParse(str)) return fail;
      const u = new URL(str);
      if (u.protocol !== "http:" && u.protocol !== "https:") return fail;
      return { ok: true, value: str };
    }
    case "listen": {
      const l = str !== undefined ? parseListen(str) : undefined;
      return l ? { ok: true, value: l } : fail;
    }
  }
}
