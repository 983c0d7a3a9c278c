/**
 * The console's HTTP client for its stores: one place that applies the timeout, bounds the
 * response size, and turns store failures into errors a tenant may see (never the store's
 * address or internals beyond a truncated message).
 * @module
 */
import { concatBytes } from "../../lib/codec/mod.ts";
import { badRequest, ObstackError, unavailable } from "../../lib/errors.ts";

/** Options of {@linkcode createUpstream}. */
export interface UpstreamOptions {
  /** Store name used in error messages, e.g. `"Prometheus"`. */
  name: string;
  /** Base URL, e.g. `http://127.0.0.1:9090`. A trailing slash is ignored. */
  baseUrl: string;
  /** Time limit of one request in ms. Default 30 s. */
  timeoutMs?: number;
  /** Largest response body read, in bytes. Default 32 MiB. */
  maxResponseBytes?: number;
  /** The fetch function; injectable so adapters can be tested against recorded responses. */
  fetch?: typeof fetch;
}

/** One request to a store. */
export interface UpstreamRequest {
  /** Path below the base URL, starting with `/`. */
  path: string;
  /** Query parameters; arrays repeat the parameter. */
  params?: Record<string, string | string[] | undefined>;
  /** Request headers (the tenant header is set by the adapter, never by the caller). */
  headers?: Record<string, string>;
  /** HTTP method; default GET. */
  method?: "GET" | "POST";
  /** JSON body for POST. */
  body?: unknown;
  /** Status codes returned to the caller instead of thrown (e.g. 404 for "no such trace"). */
  passStatus?: number[];
}

/** A store's answer. */
export interface UpstreamResponse {
  /** HTTP status. */
  status: number;
  /** Response body as text. */
  text: string;
}

/** The client returned by {@linkcode createUpstream}. */
export interface Upstream {
  /** Sends a request; throws an `ObstackError` on failure. */
  request(req: UpstreamRequest): Promise<UpstreamResponse>;
  /** Sends a request and parses the JSON body. */
  json<T = unknown>(req: UpstreamRequest): Promise<{ status: number; body: T }>;
}

/** Upstream error text is echoed to the tenant only this long (bound every input). */
const MAX_ECHO = 300;

/** A 502: the store answered with a server error. */
export function badGateway(msg: string): ObstackError {
  return new ObstackError({ code: "bad_gateway", message: msg, status: 502, retriable: true });
}

function truncate(s: string): string {
  const t = s.trim().replace(/\s+/g, " ");
  return t.length > MAX_ECHO ? t.slice(0, MAX_ECHO) + "…" : t;
}

/** Extracts a human message from a store's error body (JSON `error`/`message` or text). */
function errorText(text: string): string {
  try {
    const j = JSON.parse(text);
    if (j && typeof j === "object") {
      const m = (j as Record<string, unknown>).error ?? (j as Record<string, unknown>).message;
      if (typeof m === "string") return truncate(m);
      if (m && typeof m === "object" && typeof (m as { reason?: unknown }).reason === "string") {
        return truncate((m as { reason: string }).reason);
      }
    }
  } catch {
    // not JSON
  }
  return truncate(text);
}

async function readBounded(resp: Response, max: number, name: string): Promise<string> {
  if (!resp.body) return "";
  const reader = resp.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel();
      throw badRequest(`${name} returned more than ${max} bytes; narrow the query`);
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(concatBytes(chunks));
}

/**
 * Creates a client for one store.
 *
 * @example
 * ```ts
 * const prom = createUpstream({ name: "Prometheus", baseUrl: "http://127.0.0.1:9090" });
 * const { body } = await prom.json({ path: "/api/v1/query", params: { query: "up" } });
 * ```
 */
export function createUpstream(opts: UpstreamOptions): Upstream {
  const base = opts.baseUrl.replace(/\/+$/, "");
  try {
    new URL(base);
  } catch {
    throw new TypeError(`createUpstream(${opts.name}): invalid base URL`);
  }
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const maxBytes = opts.maxResponseBytes ?? 32 * 1024 * 1024;
  const doFetch = opts.fetch ?? fetch;

  const request = async (req: UpstreamRequest): Promise<UpstreamResponse> => {
    if (!req.path.startsWith("/")) throw new TypeError("upstream path must start with /");
    const url = new URL(base + req.path);
    for (const [k, v] of Object.entries(req.params ?? {})) {
      if (v === undefined) continue;
      for (const one of Array.isArray(v) ? v : [v]) url.searchParams.append(k, one);
    }
    const headers = new Headers(req.headers);
    let body: string | undefined;
    if (req.body !== undefined) {
      headers.set("Content-Type", "application/json");
      body = JSON.stringify(req.body);
    }
    let resp: Response;
    try {
      resp = await doFetch(url, {
        method: req.method ?? "GET",
        headers,
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      const timedOut = err instanceof DOMException && err.name === "TimeoutError";
      throw new ObstackError({
        code: "unavailable",
        message: timedOut
          ? `${opts.name} did not answer within ${Math.round(timeoutMs / 1000)} s`
          : `${opts.name} is unreachable`,
        status: timedOut ? 504 : 503,
        retriable: true,
        retryAfterSeconds: 5,
        cause: err,
      });
    }
    const text = await readBounded(resp, maxBytes, opts.name);
    if (resp.ok || req.passStatus?.includes(resp.status)) return { status: resp.status, text };
    if (resp.status === 429) throw unavailable(`${opts.name} is busy; retry shortly`, 5);
    if (resp.status >= 500) {
      throw badGateway(`${opts.name} failed (${resp.status}): ${errorText(text)}`);
    }
    throw badRequest(`${opts.name} rejected the query: ${errorText(text)}`);
  };

  return {
    request,
    async json<T>(req: UpstreamRequest) {
      const r = await request(req);
      if (r.text === "") return { status: r.status, body: null as T };
      try {
        return { status: r.status, body: JSON.parse(r.text) as T };
      } catch (err) {
        throw new ObstackError({
          code: "bad_gateway",
          message: `${opts.name} returned invalid JSON`,
          status: 502,
          cause: err,
        });
      }
    },
  };
}
