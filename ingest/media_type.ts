/**
 * Parsing of `Content-Type` and `Content-Encoding` for the write routes.
 *
 * @module
 */

/** A parsed media type: lower-cased essence and parameters. */
export interface MediaType {
  essence: string;
  params: Record<string, string>;
}

/** Parses a `Content-Type` header value (RFC 9110 §8.3.1); null when absent or malformed. */
export function parseMediaType(value: string | null): MediaType | null {
  if (value === null) return null;
  const [head, ...rest] = value.split(";");
  const essence = head!.trim().toLowerCase();
  if (!/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(essence)) return null;
  const params: Record<string, string> = {};
  for (const p of rest) {
    const i = p.indexOf("=");
    if (i < 0) continue;
    const k = p.slice(0, i).trim().toLowerCase();
    let v = p.slice(i + 1).trim();
    if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) v = v.slice(1, -1);
    if (k) params[k] = v;
  }
  return { essence, params };
}

/**
 * The single content coding of a request, lower-cased; `identity` when none. Stacked codings
 * (`gzip, gzip`) are reported as-is so the caller can refuse them.
 */
export function contentEncoding(req: Request): string {
  const v = req.headers.get("content-encoding");
  if (v === null || v.trim() === "") return "identity";
  return v.trim().toLowerCase();
}
