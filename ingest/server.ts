/**
 * The ingest request handler: routing, authentication, limits, decoding, enrichment and
 * publishing, as one `(Request) => Promise<Response>` function testable without a socket.
 *
 * @module
 */
import { encodeExportResponse, encodeRpcStatus, type ResponseEncoding } from "../lib/codec/mod.ts";
import {
  httpStatusOf,
  methodNotAllowed,
  ObstackError,
  unauthorized,
  unavailable,
} from "../lib/errors.ts";
import { enforceRateLimit, errorHeaders, extractToken, wwwAuthenticate } from "../lib/http/mod.ts";
import type { Logger } from "../lib/log/mod.ts";
import { metricsHandler } from "../lib/metrics/mod.ts";
import type { RateLimiter, Tenant, TenantRegistry } from "../lib/tenant/mod.ts";
import { readBoundedBody } from "./body.ts";
import type { IngestMetrics } from "./metrics.ts";
import { checkOtlpHeaders, otlpEncodingOf, prepareOtlp } from "./otlp_handler.ts";
import type { Publisher, PublishRequest } from "./publisher.ts";
import { checkRemoteWriteHeaders, prepareRemoteWrite } from "./remote_write_handler.ts";
import { PUBLIC_ROUTES, type PublicRoute } from "./routes.ts";

/** Options of {@linkcode createIngestHandler}. */
export interface IngestHandlerOptions {
  tenants: Pick<TenantRegistry, "authenticate">;
  limiter: RateLimiter;
  publisher: Publisher;
  /** Whether the broker is reachable now (for `/readyz`). */
  brokerReady: () => Promise<boolean>;
  metrics: IngestMetrics;
  logger: Logger;
  maxBodyBytes: number;
  maxDecompressedBytes: number;
  /** `Retry-After` for 503 answers, seconds. */
  retryAfterSeconds: number;
}

/** The ingest handler and its lifecycle hooks. */
export interface IngestHandler {
  handle(req: Request): Promise<Response>;
  /** After this, `/readyz` fails and new writes get 503 so load balancers drain the instance. */
  beginDrain(): void;
  /** Write requests being handled now. */
  inFlight(): number;
}

const ROUTES = new Map<string, PublicRoute>(PUBLIC_ROUTES.map((r) => [r.path, r]));

/** gRPC status codes for the `google.rpc.Status` body (OTLP/HTTP "Failures"). */
function grpcCodeOf(status: number): number {
  switch (status) {
    case 400:
    case 413:
    case 415:
      return 3; // INVALID_ARGUMENT
    case 401:
      return 16; // UNAUTHENTICATED
    case 404:
    case 405:
      return 12; // UNIMPLEMENTED
    case 429:
      return 8; // RESOURCE_EXHAUSTED
    case 503:
      return 14; // UNAVAILABLE
    default:
      return 13; // INTERNAL
  }
}

const CONTENT_TYPE: Record<ResponseEncoding, string> = {
  protobuf: "application/x-protobuf",
  json: "application/json",
};

/**
 * Creates the handler.
 *
 * @example
 * ```ts
 * const ingest = createIngestHandler({ tenants, limiter, publisher, brokerReady, metrics, logger,
 *   maxBodyBytes: 16 << 20, maxDecompressedBytes: 64 << 20, retryAfterSeconds: 5 });
 * Deno.serve(ingest.handle);
 * ```
 */
export function createIngestHandler(opts: IngestHandlerOptions): IngestHandler {
  let draining = false;
  let inFlight = 0;
  const renderMetrics = metricsHandler(opts.metrics.registry);
  const { metrics, logger } = opts;

  function errorResponse(route: PublicRoute, req: Request, err: unknown, tenant: string) {
    const info = httpStatusOf(err);
    // 503 (broker unavailable, draining) is an expected state, already logged where it arose.
    if (info.status >= 500 && info.status !== 503) {
      logger.error("write request failed", {
        path: route.path,
        tenant,
        status: info.status,
        error: err instanceof Error ? err.message : String(err),
      });
    }
    const headers = errorHeaders(info, {
      wwwAuthenticate: wwwAuthenticate(),
      allow: route.methods,
    });
    let body: Uint8Array | string;
    if (route.kind === "otlp") {
      const enc = otlpEncodingOf(req) ?? "json";
      body = encodeRpcStatus({ code: grpcCodeOf(info.status), message: info.message }, enc);
      headers.set("content-type", CONTENT_TYPE[enc]);
    } else {
      body = info.message + "\n";
      headers.set("content-type", "text/plain; charset=utf-8");
    }
    return new Response(body as BodyInit, { status: info.status, headers });
  }

  async function authenticate(req: Request): Promise<Tenant> {
    const t = extractToken(req);
    if ("error" in t) throw unauthorized(t.error);
    const tenant = await opts.tenants.authenticate(t.token);
    // One message for unknown, revoked and disabled alike: nothing about which it was leaks.
    if (!tenant) throw unauthorized("invalid or revoked token");
    return tenant;
  }

  async function write(route: PublicRoute, req: Request): Promise<Response> {
    const signalLabel = route.kind === "otlp" ? route.signal : "remote_write";
    const started = performance.now();
    let tenantId = "";
    let recordCount = 0;
    let status = 500;
    try {
      if (!route.methods.includes(req.method)) throw methodNotAllowed([...route.methods]);
      if (draining) throw unavailable("server is shutting down", opts.retryAfterSeconds);
      const tenant = await authenticate(req);
      tenantId = tenant.id;
      // Headers are judged before the body is read: a wrong type costs no bandwidth.
      const otlpEnc = route.kind === "otlp" ? checkOtlpHeaders(req) : undefined;
      const rwVersion = route.kind === "remote_write" ? checkRemoteWriteHeaders(req) : undefined;
      const body = await readBoundedBody(req, opts.maxBodyBytes);
      metrics.receivedBytes.inc({ signal: signalLabel, tenant: tenantId }, body.byteLength);
      enforceRateLimit(opts.limiter, tenant, body.byteLength);

      let response: Response;
      const t0 = performance.now();
      if (otlpEnc !== undefined) {
        const prepared = await prepareOtlp(req, route.signal, otlpEnc, body, tenantId, {
          maxDecompressedBytes: opts.maxDecompressedBytes,
        });
        recordCount = prepared.records;
        await publish(tenantId, prepared);
        response = new Response(encodeExportResponse(route.signal, null, otlpEnc) as BodyInit, {
          status: 200,
          headers: { "content-type": CONTENT_TYPE[otlpEnc] },
        });
      } else {
        const prepared = prepareRemoteWrite(
          rwVersion!,
          body,
          tenantId,
          opts.maxDecompressedBytes,
        );
        recordCount = prepared.samples + prepared.histograms;
        await publish(tenantId, prepared);
        const headers = new Headers();
        if (prepared.version === 2) {
          // Remote write 2.0 "Response": what was written, so senders can detect partial writes.
          headers.set("x-prometheus-remote-write-samples-written", String(prepared.samples));
          headers.set("x-prometheus-remote-write-histograms-written", String(prepared.histograms));
          headers.set("x-prometheus-remote-write-exemplars-written", String(prepared.exemplars));
        }
        response = new Response(null, { status: 204, headers });
      }
      metrics.publishSeconds.observe({ signal: signalLabel }, (performance.now() - t0) / 1000);
      metrics.records.inc(
        { signal: signalLabel, tenant: tenantId, outcome: "accepted" },
        recordCount,
      );
      status = response.status;
      return response;
    } catch (err) {
      const res = errorResponse(route, req, err, tenantId);
      status = res.status;
      if (recordCount > 0) {
        metrics.records.inc(
          { signal: signalLabel, tenant: tenantId, outcome: "rejected" },
          recordCount,
        );
      }
      return res;
    } finally {
      metrics.requests.inc({ signal: signalLabel, tenant: tenantId, code: String(status) });
      metrics.requestSeconds.observe({ signal: signalLabel }, (performance.now() - started) / 1000);
    }
  }

  async function publish(tenant: string, prepared: Omit<PublishRequest, "tenant">) {
    try {
      const { topic, records } = await opts.publisher.publish({ tenant, ...prepared });
      metrics.kafkaRecords.inc({ topic }, records);
    } catch (err) {
      // The broker did not acknowledge in time (or at all): the client must retry (DESIGN §4
      // Durability). A non-retriable broker answer is still not the client's fault.
      const msg = err instanceof Error ? err.message : String(err);
      logger.warn("publish failed", { tenant, error: msg });
      if (err instanceof ObstackError && err.status < 500) throw err;
      throw unavailable("the broker did not acknowledge the data; retry", opts.retryAfterSeconds);
    }
  }

  return {
    async handle(req: Request): Promise<Response> {
      const url = new URL(req.url);
      const route = ROUTES.get(url.pathname);
      if (route) {
        inFlight++;
        metrics.inFlight.inc();
        try {
          return await write(route, req);
        } finally {
          inFlight--;
          metrics.inFlight.dec();
        }
      }
      switch (url.pathname) {
        case "/healthz":
          return new Response("ok\n", { headers: { "content-type": "text/plain" } });
        case "/readyz": {
          if (draining) return new Response("draining\n", { status: 503 });
          const ok = await opts.brokerReady().catch(() => false);
          return ok
            ? new Response("ready\n", { headers: { "content-type": "text/plain" } })
            : new Response("broker unreachable\n", { status: 503 });
        }
        case "/metrics":
          return renderMetrics(req);
      }
      return new Response("not found\n", {
        status: 404,
        headers: { "content-type": "text/plain" },
      });
    },
    beginDrain() {
      draining = true;
    },
    inFlight: () => inFlight,
  };
}
