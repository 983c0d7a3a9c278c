/**
 * Byte-array helpers shared by the codecs, ingest and the forwarder.
 *
 * @module
 */

/**
 * Concatenates byte arrays into one. A single part is returned as it is (no copy), so callers
 * must not mutate the result in place of the input.
 *
 * @example
 * ```ts
 * concatBytes([new Uint8Array([1]), new Uint8Array([2, 3])]); // Uint8Array [1, 2, 3]
 * ```
 */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
