/**
 * Console user passwords: salted PBKDF2-HMAC-SHA256 (WebCrypto), stored as
 * `pbkdf2-sha256$<iterations>$<salt base64url>$<hash base64url>`.
 * @module
 */
import { base64url } from "./token.ts";
import { timingSafeEqual } from "./_timing_safe_equal.ts";

/** OWASP Password Storage Cheat Sheet (2023) recommends 600,000 iterations for PBKDF2-SHA256. */
export const DEFAULT_PBKDF2_ITERATIONS = 600_000;

function fromBase64url(s: string): Uint8Array {
  const b64 = s.replaceAll("-", "+").replaceAll("_", "/") + "===".slice((s.length + 3) % 4);
  const bin = atob(b64);
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

async function derive(password: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(password),
    "PBKDF2",
    false,
    ["deriveBits"],
  );
  const bits = await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt: salt as Uint8Array<ArrayBuffer>, iterations },
    key,
    256,
  );
  return new Uint8Array(bits);
}

/**
 * Hashes a password with a random 16-byte salt.
 *
 * @example
 * ```ts
 * const stored = await hashPassword("s3cret");
 * await verifyPassword("s3cret", stored); // true
 * ```
 */
export async function hashPassword(
  password: string,
  iterations = DEFAULT_PBKDF2_ITERATIONS,
): Promise<string> {
  if (!Number.isSafeInteger(iterations) || iterations < 1) {
    throw new TypeError("hashPassword: iterations must be a positive integer");
  }
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const hash = await derive(password, salt, iterations);
  return `pbkdf2-sha256$${iterations}$${base64url(salt)}$${base64url(hash)}`;
}

/** Checks `password` against a stored hash in constant time; false for malformed hashes. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split("$");
  if (parts.length !== 4 || parts[0] !== "pbkdf2-sha256") return false;
  const iterations = Number(parts[1]);
  // Bound the work a tampered file can make us do.
  if (!Number.isSafeInteger(iterations) || iterations < 1 || iterations > 10_000_000) return false;
  let salt: Uint8Array, expected: Uint8Array;
  try {
    salt = fromBase64url(parts[2]!);
    expected = fromBase64url(parts[3]!);
  } catch {
    return false;
  }
  const actual = await derive(password, salt, iterations);
  return timingSafeEqual(actual, expected);
}
