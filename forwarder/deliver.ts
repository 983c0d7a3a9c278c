/**
 * Delivering one batch of a partition to every sink: decode, group per sink and tenant into
 * requests bounded by count and bytes, write, retry what is retryable with back-off (for as
 * long as it takes — nothing is dropped), and collect what must be dead-lettered.
 *
 * A whole request refused for good (e.g. Prometheus' 400 for an out-of-order sample) is split
 * in halves until the refused record is isolated, so one bad record costs only itself and the
 * records around it are still delivered, in order.
 *
 * @module
 */
import type { InRecord } from "../lib/kafka/mod.ts";
import type { Logger } from "../lib/log/mod.ts";
import { backoffDelay, sleep } from "./backoff.ts";
import { type DeadLetter, DECODE_SINK } from "./dead_letter.ts";
import type { ForwarderMetrics } from "./metrics.ts";
import { decodeRecord } from "./record_decoder.ts";
import type { Sink, SinkRecord } from "./sinks/sink.ts";
import { toSinkError } from "./sinks/sink_error.ts";

/** Options of {@linkcode createDelivery}. */
export interface DeliveryOptions {
  sinks: readonly Sink[];
  /** Most records in one sink request. */
  batchMaxRecords: number;
  /** Most payload bytes in one sink request (a bigger single record still goes alone). */
  batchMaxBytes: number;
  retryInitialMs: number;
  retryMaxMs: number;
  metrics: ForwarderMetrics;
  log: Logger;
  /** Random source for jitter (tests). */
  random?: () => number;
  /** Told when a sink starts failing (with the reason) and when it writes again. */
  onSinkStatus?: (sink: string, ok: boolean, reason?: string) => void;
}

/** Hooks of one partition's delivery. */
export interface DeliveryHooks {
  /** Called before each back-off wait (the caller pauses the partition so nothing piles up). */
  onRetry?: () => void;
}

interface Item {
  rec: InRecord;
  sr: SinkRecord;
}

/** The delivery function {@linkcode createDelivery} returns. */
export type Deliver = (
  records: readonly InRecord[],
  signal: AbortSignal,
  hooks?: DeliveryHooks,
) => Promise<DeadLetter[]>;

/**
 * Creates the delivery function. It resolves once every record is written to each of its
 * sinks or listed as a dead letter; it rejects only when `signal` aborts (shutdown), in which
 * case nothing of the batch may be committed.
 *
 * @example
 * ```ts
 * const deliver = createDelivery({ sinks, batchMaxRecords: 500, batchMaxBytes: 4 << 20, retryInitialMs: 250, retryMaxMs: 30_000, metrics, log });
 * const dead = await deliver(batch.records, signal);
 * ```
 */
export function createDelivery(opts: DeliveryOptions): Deliver {
  return async (records, signal, hooks = {}) => {
    const dead: DeadLetter[] = [];
    const decoded: { item: Item; only?: string }[] = [];
    for (const rec of records) {
      const d = decodeRecord(rec);
      if (d.ok) {
        decoded.push({ item: { rec, sr: d.record }, ...(d.onlySink ? { only: d.onlySink } : {}) });
      } else {
        const tenant = rec.headers["obstack-tenant"] ?? rec.key ?? "unknown";
        opts.metrics.deadLettered.inc({ sink: DECODE_SINK, tenant: safeTenant(tenant) });
        opts.log.warn("undecodable record dead-lettered", {
          topic: rec.topic,
          partition: rec.partition,
          offset: rec.offset,
          reason: d.reason,
        });
        dead.push({ record: rec, origin: d.origin, sink: DECODE_SINK, reason: d.reason });
      }
    }
    const perSink = await Promise.all(opts.sinks.map(async (sink) => {
      const mine = decoded
        .filter((d) =>
          sink.formats.includes(d.item.sr.payload.format) &&
          (d.only === undefined || d.only === sink.name)
        )
        .map((d) => d.item);
      const out: DeadLetter[] = [];
      for (const chunk of chunks(mine, opts.batchMaxRecords, opts.batchMaxBytes)) {
        out.push(...await deliverChunk(sink, chunk, signal, hooks, opts));
      }
      return out;
    }));
    for (const d of perSink) dead.push(...d);
    return dead;
  };
}

/** Groups items by tenant (first-seen order, record order kept), then bounds each group. */
function chunks(items: readonly Item[], maxRecords: number, maxBytes: number): Item[][] {
  const byTenant = new Map<string, Item[]>();
  for (const it of items) {
    const list = byTenant.get(it.sr.tenant);
    if (list) list.push(it);
    else byTenant.set(it.sr.tenant, [it]);
  }
  const out: Item[][] = [];
  for (const list of byTenant.values()) {
    let cur: Item[] = [];
    let bytes = 0;
    for (const it of list) {
      const n = it.sr.value.length;
      if (cur.length > 0 && (cur.length >= maxRecords || bytes + n > maxBytes)) {
        out.push(cur);
        cur = [];
        bytes = 0;
      }
      cur.push(it);
      bytes += n;
    }
    if (cur.length > 0) out.push(cur);
  }
  return out;
}

/** Writes one request's worth of records of one tenant, retrying and bisecting as needed. */
async function deliverChunk(
  sink: Sink,
  items: Item[],
  signal: AbortSignal,
  hooks: DeliveryHooks,
  opts: DeliveryOptions,
): Promise<DeadLetter[]> {
  const tenant = items[0]!.sr.tenant;
  const dead: DeadLetter[] = [];
  const deadLetter = (it: Item, reason: string) => {
    opts.metrics.deadLettered.inc({ sink: sink.name, tenant });
    opts.log.warn("record dead-lettered", {
      sink: sink.name,
      tenant,
      topic: it.rec.topic,
      partition: it.rec.partition,
      offset: it.rec.offset,
      reason,
    });
    dead.push({ record: it.rec, origin: it.sr.origin, sink: sink.name, reason });
  };
  let pending = items;
  let attempt = 0;
  const backOff = async (retryAfterSeconds: number | undefined, reason: string) => {
    opts.metrics.retries.inc({ sink: sink.name });
    const delay = backoffDelay(attempt, {
      initialMs: opts.retryInitialMs,
      maxMs: opts.retryMaxMs,
      ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
      ...(opts.random ? { random: opts.random } : {}),
    });
    // Log the first failure and then sparsely: a store that is down for an hour must not flood.
    if (attempt === 0 || attempt % 10 === 0) {
      opts.log.warn("sink write failed, retrying", {
        sink: sink.name,
        tenant,
        attempt,
        delay_ms: delay,
        reason,
      });
    }
    attempt++;
    opts.onSinkStatus?.(sink.name, false, reason);
    hooks.onRetry?.();
    await sleep(delay, signal);
  };

  while (pending.length > 0) {
    signal.throwIfAborted();
    const t0 = performance.now();
    let outcome;
    try {
      outcome = await sink.write(tenant, pending.map((p) => p.sr), signal);
    } catch (e) {
      if (signal.aborted) throw signal.reason;
      const err = toSinkError(e);
      if (err.retriable) {
        await backOff(err.retryAfterSeconds, err.message);
        continue;
      }
      if (pending.length > 1) {
        const mid = Math.ceil(pending.length / 2);
        dead.push(...await deliverChunk(sink, pending.slice(0, mid), signal, hooks, opts));
        dead.push(...await deliverChunk(sink, pending.slice(mid), signal, hooks, opts));
        return dead;
      }
      deadLetter(pending[0]!, err.message);
      return dead;
    }
    const failed = new Map(outcome.failures.map((f) => [f.index, f.error]));
    const now = Date.now();
    let written = 0;
    pending.forEach((p, i) => {
      if (failed.has(i)) return;
      written++;
      opts.metrics.delaySeconds.observe(
        { sink: sink.name },
        Math.max(0, now - p.sr.receivedAt) / 1000,
      );
    });
    if (written > 0) {
      opts.onSinkStatus?.(sink.name, true);
      opts.metrics.sinkRecords.inc({ sink: sink.name, tenant }, written);
      opts.metrics.sinkBytes.inc({ sink: sink.name, tenant }, outcome.bytesSent);
      opts.metrics.writeSeconds.observe({ sink: sink.name }, (performance.now() - t0) / 1000);
    }
    const retry: Item[] = [];
    let retryAfter: number | undefined;
    let reason = "";
    pending.forEach((p, i) => {
      const err = failed.get(i);
      if (!err) return;
      if (err.retriable) {
        retry.push(p);
        reason = err.message;
        if (err.retryAfterSeconds !== undefined) {
          retryAfter = Math.max(retryAfter ?? 0, err.retryAfterSeconds);
        }
      } else deadLetter(p, err.message);
    });
    pending = retry;
    if (retry.length > 0) await backOff(retryAfter, reason);
  }
  return dead;
}

/** A tenant value safe as a metrics label (the header may be anything on a poison record). */
function safeTenant(t: string): string {
  return /^[a-z0-9][a-z0-9-]{0,62}$/.test(t) ? t : "invalid";
}
