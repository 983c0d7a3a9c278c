/**
 * Metric and label name normalisation for OTLP → Prometheus, following the OpenTelemetry
 * "Prometheus and OpenMetrics compatibility" specification ("OTLP Metric points to
 * Prometheus": Metric Metadata, Sums, Metric Attributes).
 *
 * @module
 */

/**
 * OTLP (UCUM) unit abbreviations → Prometheus unit words. The table is the one the
 * OpenTelemetry Collector's and Prometheus' own OTLP translators use, so a metric keeps the
 * same name whichever path it takes into Prometheus.
 */
const UNIT_WORDS: Readonly<Record<string, string>> = {
  // time
  d: "days",
  h: "hours",
  min: "minutes",
  s: "seconds",
  ms: "milliseconds",
  us: "microseconds",
  ns: "nanoseconds",
  // bytes
  By: "bytes",
  KiBy: "kibibytes",
  MiBy: "mebibytes",
  GiBy: "gibibytes",
  TiBy: "tibibytes",
  KBy: "kilobytes",
  MBy: "megabytes",
  GBy: "gigabytes",
  TBy: "terabytes",
  // SI
  m: "meters",
  V: "volts",
  A: "amperes",
  J: "joules",
  W: "watts",
  g: "grams",
  // misc
  Cel: "celsius",
  Hz: "hertz",
  "%": "percent",
};

/** Units after a `/` ("per second", not "per seconds"). */
const PER_UNIT_WORDS: Readonly<Record<string, string>> = {
  s: "second",
  m: "minute",
  h: "hour",
  d: "day",
  w: "week",
  mo: "month",
  y: "year",
};

/** OTLP point kinds that decide name suffixes. */
export type PromMetricKind = "gauge" | "counter" | "histogram" | "summary" | "native-histogram";

/**
 * Converts an OTLP unit to the Prometheus unit word(s) used as a name suffix, or `""`.
 *
 * Portions in curly braces are annotations ("a count of foo is unitless") and are dropped;
 * `foo/bar` becomes `foo_per_bar`; `1` becomes `ratio` for gauges only — for counters a ratio
 * suffix would be meaningless, which is also how the Collector and Prometheus translate it.
 *
 * @example
 * ```ts
 * promUnit("ms", "histogram");    // "milliseconds"
 * promUnit("By/s", "gauge");      // "bytes_per_second"
 * promUnit("{request}", "counter"); // ""
 * ```
 */
export function promUnit(unit: string, kind: PromMetricKind): string {
  const u = unit.replace(/\{[^}]*\}/g, "").trim();
  if (u === "") return "";
  if (u === "1") return kind === "gauge" ? "ratio" : "";
  const slash = u.indexOf("/");
  const main = slash < 0 ? u : u.slice(0, slash).trim();
  const per = slash < 0 ? "" : u.slice(slash + 1).trim();
  const mainWord = main === "" || main === "1" ? "" : (UNIT_WORDS[main] ?? main);
  const perWord = per === "" ? "" : (PER_UNIT_WORDS[per] ?? UNIT_WORDS[per] ?? per);
  const words = perWord === ""
    ? mainWord
    : (mainWord === "" ? `per_${perWord}` : `${mainWord}_per_${perWord}`);
  return sanitizeMetricName(words).replace(/^_+|_+$/g, "");
}

/**
 * Replaces every character outside `[a-zA-Z0-9_:]` by `_` and collapses runs of `_`
 * (spec: "Invalid characters in the metric name MUST be replaced with the `_` character.
 * Multiple consecutive `_` characters MUST be replaced with a single `_` character."). A
 * leading digit is prefixed with `_` so the result matches `[a-zA-Z_:][a-zA-Z0-9_:]*`.
 */
export function sanitizeMetricName(name: string): string {
  let out = name.replace(/[^a-zA-Z0-9_:]/g, "_").replace(/_{2,}/g, "_");
  if (out === "") return "_";
  if (/^[0-9]/.test(out)) out = "_" + out;
  return out;
}

/**
 * The Prometheus metric name of an OTLP metric: sanitised name, then the unit suffix unless
 * the name already contains the unit, then `_total` for counters unless already present
 * ("The unit suffix comes before any type-specific suffixes").
 *
 * @example
 * ```ts
 * promMetricName("http.server.request.duration", "s", "histogram"); // "http_server_request_duration_seconds"
 * promMetricName("requests", "{request}", "counter");               // "requests_total"
 * ```
 */
export function promMetricName(name: string, unit: string, kind: PromMetricKind): string {
  let out = sanitizeMetricName(name);
  const u = promUnit(unit, kind);
  if (u !== "") {
    // "unless the metric name already contains the unit": compare whole `_`-separated words,
    // ignoring a `_total` the client may already have put at the end.
    const base = out.replace(/_total$/, "");
    if (!`_${base}_`.includes(`_${u}_`)) {
      out = kind === "counter" && out.endsWith("_total") ? `${base}_${u}_total` : `${out}_${u}`;
    }
  }
  if (kind === "counter" && !out.endsWith("_total")) out += "_total";
  return out;
}

/**
 * Sanitises an attribute key into a Prometheus label name (`[a-zA-Z_][a-zA-Z0-9_]*`):
 * invalid characters become `_`, runs of `_` collapse to one, and a leading digit gets the
 * `key_` prefix. Keys starting with `__` (reserved by Prometheus) keep one leading `_` only
 * after collapsing, so a client cannot set `__name__`.
 */
export function sanitizeLabelName(key: string): string {
  let out = key.replace(/[^a-zA-Z0-9_]/g, "_").replace(/_{2,}/g, "_");
  if (out === "") return "key_empty";
  if (/^[0-9]/.test(out)) out = "key_" + out;
  return out;
}

/**
 * Builds label pairs from attribute key/values: sanitised names, and — as the spec requires
 * when two keys collide after sanitising — their values joined with `;` in the lexicographic
 * order of the original keys.
 */
export function attributesToLabels(
  attrs: ReadonlyArray<readonly [string, string]>,
): Map<string, string> {
  const sorted = [...attrs].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out = new Map<string, string>();
  for (const [key, value] of sorted) {
    const name = sanitizeLabelName(key);
    const prev = out.get(name);
    out.set(name, prev === undefined ? value : `${prev};${value}`);
  }
  return out;
}

/**
 * Formats a float the way Prometheus prints `le` and `quantile` label values (Go's
 * `strconv.FormatFloat(f, 'f', -1, 64)` for ordinary values; `+Inf`, `-Inf`, `NaN`).
 */
export function formatPromFloat(v: number): string {
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  if (Number.isNaN(v)) return "NaN";
  if (Object.is(v, -0)) return "0";
  // Go's 'f' format never uses exponents; JS does above 1e21 and below 1e-6.
  const s = String(v);
  if (!/e/i.test(s)) return s;
  return expandExponent(s);
}

function expandExponent(s: string): string {
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/i.exec(s);
  if (!m) return s;
  const sign = m[1] ?? "";
  const digits = (m[2] ?? "") + (m[3] ?? "");
  const exp = Number(m[4]);
  const point = 1 + exp; // position of the decimal point within `digits`
  if (point <= 0) return `${sign}0.${"0".repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${"0".repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}
