/**
 * Cookie parsing and the console's session cookie attributes.
 * @module
 */

/** Name of the session cookie. `__Host-` would pin it further but requires `Secure`. */
export const SESSION_COOKIE = "obstack_session";

/**
 * Parses a `Cookie` request header into name → value (the first occurrence wins, as browsers
 * send the most specific cookie first). Malformed pairs are skipped.
 *
 * @example
 * ```ts
 * parseCookies("a=1; obstack_session=xyz").get("obstack_session"); // "xyz"
 * ```
 */
export function parseCookies(header: string | null): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) {
      value = value.slice(1, -1);
    }
    if (name && !out.has(name)) out.set(name, value);
  }
  return out;
}

/** Attributes of the session cookie. */
export interface SessionCookieOptions {
  /** Add `Secure` (HTTPS only). */
  secure: boolean;
  /** Lifetime in seconds; 0 deletes the cookie. */
  maxAgeSeconds: number;
}

/**
 * A `Set-Cookie` value for the session: HttpOnly (no script access), SameSite=Strict (never sent
 * on cross-site requests, the first CSRF defence), Path=/.
 *
 * @example
 * ```ts
 * sessionCookie("abc", { secure: true, maxAgeSeconds: 3600 });
 * // "obstack_session=abc; Path=/; HttpOnly; SameSite=Strict; Max-Age=3600; Secure"
 * ```
 */
export function sessionCookie(value: string, opts: SessionCookieOptions): string {
  if (!/^[A-Za-z0-9_-]*$/.test(value)) {
    throw new TypeError("session cookie value must be base64url");
  }
  const parts = [
    `${SESSION_COOKIE}=${value}`,
    "Path=/",
    "HttpOnly",
    "SameSite=Strict",
    `Max-Age=${Math.max(0, Math.floor(opts.maxAgeSeconds))}`,
  ];
  if (opts.maxAgeSeconds <= 0) parts.push("Expires=Thu, 01 Jan 1970 00:00:00 GMT");
  if (opts.secure) parts.push("Secure");
  return parts.join("; ");
}
