/**
 * Label-set rules shared by remote write 1.0 and 2.0 stamping.
 *
 * @module
 */
import { CodecError } from "../codec_error.ts";

/** The tenant label every series carries after stamping. */
export const TENANT_LABEL = "tenant_id";
export const TENANT_LABEL_BYTES = new TextEncoder().encode(TENANT_LABEL);
export const METRIC_NAME_BYTES = new TextEncoder().encode("__name__");

/** Stamping with an empty tenant id is a caller bug, not bad client input. */
export function checkTenantId(tenantId: string): void {
  if (typeof tenantId !== "string" || tenantId === "") {
    throw new TypeError("tenant id must be a non-empty string");
  }
}

/** Byte-wise comparison of `a[as, ae)` and `b[bs, be)` (Go string order). */
export function compareBytes(
  a: Uint8Array,
  as: number,
  ae: number,
  b: Uint8Array,
  bs: number,
  be: number,
): number {
  const n = Math.min(ae - as, be - bs);
  for (let i = 0; i < n; i++) {
    const d = a[as + i]! - b[bs + i]!;
    if (d !== 0) return d;
  }
  return (ae - as) - (be - bs);
}

/** True when `buf[s, e)` equals `word`. */
export function equalsBytes(buf: Uint8Array, s: number, e: number, word: Uint8Array): boolean {
  if (e - s !== word.length) return false;
  for (let i = 0; i < word.length; i++) if (buf[s + i] !== word[i]) return false;
  return true;
}

/** A label as byte ranges (into `buf`, which may differ per label). */
export interface LabelRef {
  nb: Uint8Array;
  ns: number;
  ne: number;
  vb: Uint8Array;
  vs: number;
  ve: number;
  /** Opaque payload for the caller (e.g. symbol references). */
  tag: number;
  tag2: number;
}

/**
 * Applies the stamping rules to one series' labels, in place, and returns them sorted:
 * client `tenant_id` labels removed; labels with an empty value dropped (the Prometheus
 * data model treats them as absent); an empty name, a duplicate name or a missing
 * `__name__` refused. The caller adds the tenant label (it sorts after `__name__`).
 *
 * Unsorted input is accepted and sorted rather than refused: the label set is a set, sorting
 * does not change which series it names, and refusing would make this endpoint stricter
 * than Prometheus' own receiver for no gain.
 */
export function normalizeLabels(labels: LabelRef[], series: number): LabelRef[] {
  const kept = labels.filter((l) =>
    !equalsBytes(l.nb, l.ns, l.ne, TENANT_LABEL_BYTES) && l.ve > l.vs
  );
  for (const l of kept) {
    if (l.ne === l.ns) throw new CodecError("invalid", `series ${series}: empty label name`);
  }
  kept.sort((a, b) => compareBytes(a.nb, a.ns, a.ne, b.nb, b.ns, b.ne));
  let hasName = false;
  for (let i = 0; i < kept.length; i++) {
    const l = kept[i]!;
    if (equalsBytes(l.nb, l.ns, l.ne, METRIC_NAME_BYTES)) hasName = true;
    if (i > 0) {
      const p = kept[i - 1]!;
      if (compareBytes(p.nb, p.ns, p.ne, l.nb, l.ns, l.ne) === 0) {
        const name = new TextDecoder().decode(l.nb.subarray(l.ns, Math.min(l.ne, l.ns + 100)));
        throw new CodecError(
          "invalid",
          `series ${series}: duplicate label name ${JSON.stringify(name)}`,
        );
      }
    }
  }
  if (!hasName) throw new CodecError("invalid", `series ${series}: no __name__ label`);
  return kept;
}

/**
 * The common case, checked in one pass without copying or sorting: names strictly
 * increasing (sorted, no duplicates), none empty, no `tenant_id`, no empty value, and a
 * `__name__`. When this holds the label set can be kept as it is.
 */
export function alreadyClean(labels: readonly LabelRef[]): boolean {
  let hasName = false;
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    if (l.ne === l.ns || l.ve === l.vs) return false;
    if (equalsBytes(l.nb, l.ns, l.ne, TENANT_LABEL_BYTES)) return false;
    if (!hasName && equalsBytes(l.nb, l.ns, l.ne, METRIC_NAME_BYTES)) hasName = true;
    if (i > 0) {
      const p = labels[i - 1]!;
      if (compareBytes(p.nb, p.ns, p.ne, l.nb, l.ns, l.ne) >= 0) return false;
    }
  }
  return hasName;
}

/** Index at which the tenant label goes to keep `sorted` in order. */
export function tenantInsertIndex(sorted: LabelRef[]): number {
  let i = 0;
  while (
    i < sorted.length &&
    compareBytes(
        sorted[i]!.nb,
        sorted[i]!.ns,
        sorted[i]!.ne,
        TENANT_LABEL_BYTES,
        0,
        TENANT_LABEL_BYTES.length,
      ) < 0
  ) i++;
  return i;
}
