/**
 * Structured JSON logging: one JSON object per line on stderr.
 * @module
 */

/** Log levels in increasing severity. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** Extra fields merged into a log line. */
export type LogFields = Record<string, unknown>;

/** A structured logger. No method ever throws. */
export interface Logger {
  /** Logs at debug level. */
  debug(msg: string, fields?: LogFields): void;
  /** Logs at info level. */
  info(msg: string, fields?: LogFields): void;
  /** Logs at warn level. */
  warn(msg: string, fields?: LogFields): void;
  /** Logs at error level. */
  error(msg: string, fields?: LogFields): void;
  /** Returns a logger that adds `fields` to every line. */
  child(fields: LogFields): Logger;
}

/** Options of {@linkcode createLogger}. */
export interface LoggerOptions {
  /** Lowest level written; default `"info"`. */
  level?: LogLevel;
  /** Where lines go (without trailing newline); default: stderr. */
  sink?: (line: string) => void;
}

const SEVERITY: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
/** Keys written by the logger itself; fields cannot overwrite them. */
const RESERVED = new Set(["ts", "level", "service", "msg"]);
const encoder = new TextEncoder();

function stderrSink(line: string): void {
  // writeSync so lines are not lost at exit and never interleave mid-line.
  Deno.stderr.writeSync(encoder.encode(line + "\n"));
}

/** Turns an Error (with its cause chain) into plain JSON-able data, bounded in depth. */
function serialiseError(err: Error, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = { name: err.name, message: err.message };
  const code = (err as { code?: unknown }).code;
  if (typeof code === "string" || typeof code === "number") out.code = code;
  if (err.stack) out.stack = err.stack;
  if (err.cause !== undefined && depth < 3) {
    out.cause = err.cause instanceof Error ? serialiseError(err.cause, depth + 1) : err.cause;
  }
  return out;
}

/** JSON.stringify that survives cycles, BigInt, Errors and throwing getters/toJSON. */
function safeStringify(obj: Record<string, unknown>): string {
  const seen = new WeakSet<object>();
  const replacer = (_key: string, value: unknown): unknown => {
    if (typeof value === "bigint") return value.toString();
    if (value instanceof Error) return serialiseError(value, 0);
    if (value instanceof Uint8Array) return `<${value.byteLength} bytes>`;
    if (typeof value === "object" && value !== null) {
      if (seen.has(value)) return "[circular]";
      seen.add(value);
    }
    return value;
  };
  try {
    return JSON.stringify(obj, replacer);
  } catch (e) {
    // A field's toJSON or getter threw: keep the line, drop the fields.
    return JSON.stringify({
      ts: obj.ts,
      level: obj.level,
      service: obj.service,
      msg: obj.msg,
      log_error: `fields not serialisable: ${e instanceof Error ? e.message : String(e)}`,
    });
  }
}

/**
 * Creates a logger for `service`.
 *
 * @example
 * ```ts
 * const log = createLogger("ingest", { level: "debug" });
 * log.info("listening", { addr: "0.0.0.0:4318" });
 * // {"ts":"2025-01-01T00:00:00.000Z","level":"info","service":"ingest","msg":"listening","addr":"0.0.0.0:4318"}
 * ```
 */
export function createLogger(service: string, opts: LoggerOptions = {}): Logger {
  const level = opts.level ?? "info";
  if (!(level in SEVERITY)) throw new TypeError(`createLogger: unknown level ${String(level)}`);
  return makeLogger(service, SEVERITY[level], opts.sink ?? stderrSink, {});
}

function makeLogger(
  service: string,
  min: number,
  sink: (line: string) => void,
  bound: LogFields,
): Logger {
  const write = (level: LogLevel, msg: string, fields?: LogFields): void => {
    if (SEVERITY[level] < min) return;
    try {
      const line: Record<string, unknown> = {
        ts: new Date().toISOString(),
        level,
        service,
        msg: String(msg),
      };
      for (const src of [bound, fields ?? {}]) {
        for (const [k, v] of Object.entries(src)) {
          line[RESERVED.has(k) ? `field_${k}` : k] = v;
        }
      }
      sink(safeStringify(line));
    } catch {
      // Logging must never take the service down (closed stderr, broken sink, …).
    }
  };
  return {
    debug: (msg, fields) => write("debug", msg, fields),
    info: (msg, fields) => write("info", msg, fields),
    warn: (msg, fields) => write("warn", msg, fields),
    error: (msg, fields) => write("error", msg, fields),
    child: (fields) => makeLogger(service, min, sink, { ...bound, ...fields }),
  };
}

/** Whether `s` is a valid log level name. */
export function isLogLevel(s: string): s is LogLevel {
  return Object.hasOwn(SEVERITY, s);
}
