/**
 * HTTP handler serving a metrics registry.
 * @module
 */
import type { MetricsRegistry } from "./registry.ts";

/** Content type of the Prometheus text exposition format 0.0.4. */
export const METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/**
 * Returns a `(Request) => Response` that serves `registry.render()` for GET and HEAD, and 405
 * with `Allow` (RFC 9110 §15.5.6) otherwise.
 *
 * @example
 * ```ts
 * const metrics = metricsHandler(registry);
 * if (url.pathname === "/metrics") return metrics(req);
 * ```
 */
export function metricsHandler(registry: MetricsRegistry): (req: Request) => Response {
  return (req: Request): Response => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      return new Response("method not allowed\n", {
        status: 405,
        headers: { allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8" },
      });
    }
    const body = registry.render();
    return new Response(req.method === "HEAD" ? null : body, {
      status: 200,
      headers: { "content-type": METRICS_CONTENT_TYPE, "cache-control": "no-store" },
    });
  };
}
