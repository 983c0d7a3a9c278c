/**
 * The Origin check of state-changing requests (the second CSRF defence after SameSite=Strict).
 * @module
 */

/**
 * Whether a POST may proceed: its `Origin` must be the console's own origin (as the request
 * reached it) or one of the configured extra origins. A POST without `Origin` falls back to
 * `Referer`; with neither it is refused — every current browser sends `Origin` on POST, so only
 * a non-browser client would omit both, and it can add the header.
 *
 * @example
 * ```ts
 * if (!isSameOrigin(req, [])) return new Response("forbidden", { status: 403 });
 * ```
 */
export function isSameOrigin(req: Request, allowedOrigins: readonly string[]): boolean {
  const own = new URL(req.url).origin;
  const allowed = new Set([own, ...allowedOrigins.map(normalise)]);
  const origin = req.headers.get("Origin");
  if (origin !== null) return origin !== "null" && allowed.has(normalise(origin));
  const referer = req.headers.get("Referer");
  if (referer === null) return false;
  try {
    return allowed.has(new URL(referer).origin);
  } catch {
    return false;
  }
}

function normalise(origin: string): string {
  try {
    return new URL(origin).origin;
  } catch {
    return origin;
  }
}
