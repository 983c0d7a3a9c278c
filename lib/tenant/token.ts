/**
 * Tenant tokens: generation, hashing and the tenant id alphabet.
 * @module
 */

/** Prefix of every token; makes leaked tokens easy to recognise by secret scanners. */
export const TOKEN_PREFIX = "obs_";

/** Tenant ids appear in Kafka keys and index names, so the alphabet is small and lower case. */
export const TENANT_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** Encodes bytes as base64url without padding (RFC 4648 §5). */
export function base64url(bytes: Uint8Array): string {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/**
 * Generates a new token: `obs_` + base64url(32 random bytes), 256 bits of entropy.
 *
 * @example
 * ```ts
 * generateToken(); // "obs_3q2-7w…" (47 characters)
 * ```
 */
export function generateToken(): string {
  return TOKEN_PREFIX + base64url(crypto.getRandomValues(new Uint8Array(32)));
}

/** Lower-case hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return s;
}

/**
 * Hashes a token for storage: `"sha256:<hex>"`. A plain SHA-256 is enough because tokens carry
 * 256 random bits (no dictionary to attack, unlike passwords).
 */
export async function hashToken(token: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token));
  return "sha256:" + toHex(new Uint8Array(digest));
}

/** Whether `id` is a valid tenant id (`^[a-z0-9][a-z0-9-]{0,62}$`). */
export function isValidTenantId(id: unknown): id is string {
  return typeof id === "string" && TENANT_ID_PATTERN.test(id);
}
