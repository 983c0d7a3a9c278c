/**
 * Credentials from the `Authorization` header: Bearer (RFC 6750) or Basic with the token as the
 * password (RFC 7617) — what Prometheus `basic_auth` and many agents send.
 * @module
 */

/** Result of {@linkcode extractToken}: the token, or a short reason safe to return to clients. */
export type ExtractedToken = { token: string } | { error: string };

/** Bound on the header we parse; real tokens are ~47 characters. */
const MAX_AUTHORIZATION_LENGTH = 4096;
/** token68 of RFC 9110 §11.2. */
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;

/**
 * Extracts the API token from `Authorization: Bearer <token>` or
 * `Authorization: Basic base64(user:token)`. The scheme is case-insensitive (RFC 9110 §11.1).
 *
 * @example
 * ```ts
 * const r = extractToken(req);
 * if ("error" in r) throw unauthorized(r.error);
 * ```
 */
export function extractToken(req: Request): ExtractedToken {
  const header = req.headers.get("authorization");
  if (header === null || header.trim() === "") return { error: "missing Authorization header" };
  if (header.length > MAX_AUTHORIZATION_LENGTH) return { error: "Authorization header too long" };
  const m = /^([A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*)[ \t]+(.*)$/.exec(header.trim());
  if (!m) return { error: "malformed Authorization header" };
  const scheme = m[1]!.toLowerCase();
  const credentials = m[2]!.trim();
  if (scheme === "bearer") {
    if (!TOKEN68.test(credentials)) return { error: "malformed bearer token" };
    return { token: credentials };
  }
  if (scheme === "basic") {
    if (!TOKEN68.test(credentials)) return { error: "malformed basic credentials" };
    let decoded: string;
    try {
      const bin = atob(credentials);
      decoded = new TextDecoder("utf-8", { fatal: true }).decode(
        Uint8Array.from(bin, (c) => c.charCodeAt(0)),
      );
    } catch {
      return { error: "malformed basic credentials" };
    }
    const colon = decoded.indexOf(":");
    if (colon < 0) return { error: "malformed basic credentials" };
    const password = decoded.slice(colon + 1);
    if (password === "") return { error: "basic credentials need the token as password" };
    return { token: password };
  }
  return { error: "unsupported authorization scheme" };
}

/**
 * Value of the `WWW-Authenticate` header sent with a 401. RFC 9110 §11.6.1 allows several
 * challenges in one field value, separated by commas; each auth-param (`realm`) belongs to the
 * challenge before it. RFC 6750 §3 defines the Bearer challenge, RFC 7617 §2 the Basic one.
 */
export function wwwAuthenticate(): string {
  return 'Bearer realm="obstack", Basic realm="obstack"';
}
