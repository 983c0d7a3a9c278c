/**
 * One Fetch round trip through the client library's low-level `Consumer.fetch()`, turning its
 * record batches into {@linkcode InRecord}s. Shared by the group consumer and by `readTopic()`;
 * both track fetch positions themselves so that pausing, rewinding and revoking a partition are
 * exact.
 */
import { type ConnectionPool, type Consumer, protocolErrorsCodesById } from "@platformatic/kafka";
import type { InRecord } from "./contract.ts";
import { apiErrorIds } from "./_errors.ts";

/** Bit 5 of a record batch's attributes: a transaction control batch (no user records). */
const IS_CONTROL = 1 << 5;

/** A partition to fetch and the offset to start at. */
export interface FetchWant {
  topic: string;
  partition: number;
  offset: bigint;
}

/** What one fetch returned for one partition. */
export interface FetchGot {
  topic: string;
  partition: number;
  /** The offset the fetch started at (records below it were skipped). */
  from: bigint;
  records: InRecord[];
  /** Where the next fetch of this partition starts. */
  next: bigint;
  highWatermark: bigint;
  /** Protocol error of this partition, e.g. `OFFSET_OUT_OF_RANGE`. */
  error?: string;
}

// deno-lint-ignore no-explicit-any
type AnyConsumer = Consumer<any, any, any, any>;

interface RawRecord {
  offsetDelta: number;
  timestampDelta: bigint;
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers: [Uint8Array | null, Uint8Array | null][];
}
interface RawBatch {
  firstOffset: bigint;
  lastOffsetDelta: number;
  firstTimestamp: bigint;
  attributes: number;
  records: RawRecord[];
}
interface RawPartition {
  partitionIndex: number;
  errorCode: number;
  highWatermark: bigint;
  records?: RawBatch[] | null;
}
interface RawResponse {
  responses: { topicId: string; partitions: RawPartition[] }[];
}

const decoder = new TextDecoder();

/**
 * Fetches every wanted partition once (one request per leader, in parallel). Partitions with an
 * error come back with `error` set and no records; a network failure rejects.
 */
export async function fetchOnce(
  consumer: AnyConsumer,
  wants: FetchWant[],
  opts: {
    maxWaitMs: number;
    maxBytes: number;
    partitionMaxBytes: number;
    /** Connections for fetches, so long polls do not delay heartbeats and commits. */
    pool?: ConnectionPool;
  },
): Promise<FetchGot[]> {
  if (wants.length === 0) return [];
  const topics = [...new Set(wants.map((w) => w.topic))];
  const md = await consumer.metadata({ topics });
  const byNode = new Map<number, FetchWant[]>();
  const idToTopic = new Map<string, string>();
  for (const w of wants) {
    const t = md.topics.get(w.topic);
    const p = t?.partitions[w.partition];
    if (!t || !p) throw new Error(`no metadata for ${w.topic}/${w.partition}`);
    idToTopic.set(t.id, w.topic);
    const list = byNode.get(p.leader) ?? [];
    list.push(w);
    byNode.set(p.leader, list);
  }
  const results = await Promise.all([...byNode].map(async ([node, list]) => {
    const request = new Map<string, { topicId: string; partitions: unknown[] }>();
    for (const w of list) {
      const id = md.topics.get(w.topic)!.id;
      const entry = request.get(id) ?? { topicId: id, partitions: [] };
      entry.partitions.push({
        partition: w.partition,
        fetchOffset: w.offset,
        partitionMaxBytes: opts.partitionMaxBytes,
        currentLeaderEpoch: -1,
        lastFetchedEpoch: -1,
      });
      request.set(id, entry);
    }
    let response: RawResponse;
    try {
      response = await consumer.fetch({
        node,
        // deno-lint-ignore no-explicit-any
        topics: [...request.values()] as any,
        maxWaitTime: opts.maxWaitMs,
        minBytes: 1,
        maxBytes: opts.maxBytes,
        ...(opts.pool ? { connectionPool: opts.pool } : {}),
      }) as unknown as RawResponse;
    } catch (e) {
      // Partition-level errors arrive as a ResponseError carrying the whole response; the
      // partitions without error still hold valid data.
      const r = (e as { response?: RawResponse }).response;
      if (!r || !Array.isArray(r.responses) || apiErrorIds(e).length === 0) throw e;
      response = r;
    }
    return parseResponse(response, list, idToTopic);
  }));
  return results.flat();
}

function parseResponse(
  response: RawResponse,
  wanted: FetchWant[],
  idToTopic: Map<string, string>,
): FetchGot[] {
  const want = new Map(wanted.map((w) => [`${w.topic}\u0000${w.partition}`, w]));
  const out: FetchGot[] = [];
  for (const t of response.responses) {
    const topic = idToTopic.get(t.topicId) ?? t.topicId;
    for (const p of t.partitions) {
      // A fetch session may return partitions that were not asked for this time: ignore them.
      const w = want.get(`${topic}\u0000${p.partitionIndex}`);
      if (!w) continue;
      want.delete(`${topic}\u0000${p.partitionIndex}`);
      const got: FetchGot = {
        topic,
        partition: p.partitionIndex,
        from: w.offset,
        records: [],
        next: w.offset,
        highWatermark: p.highWatermark,
      };
      if (p.errorCode !== 0) {
        got.error = protocolErrorsCodesById[p.errorCode] ?? String(p.errorCode);
        out.push(got);
        continue;
      }
      for (const batch of p.records ?? []) {
        const last = batch.firstOffset + BigInt(batch.lastOffsetDelta);
        if (last + 1n > got.next) got.next = last + 1n;
        if (batch.attributes & IS_CONTROL) continue;
        for (const r of batch.records) {
          const offset = batch.firstOffset + BigInt(r.offsetDelta);
          // A compressed batch is returned whole even when the fetch starts inside it.
          if (offset < w.offset) continue;
          const headers: Record<string, string> = {};
          for (const [k, v] of r.headers) {
            if (k) headers[decoder.decode(k)] = v ? decoder.decode(v) : "";
          }
          got.records.push({
            topic,
            partition: p.partitionIndex,
            offset,
            key: r.key ? decoder.decode(r.key) : null,
            value: r.value
              ? new Uint8Array(r.value.buffer, r.value.byteOffset, r.value.byteLength)
              : new Uint8Array(0),
            headers,
            timestamp: Number(batch.firstTimestamp + r.timestampDelta),
          });
        }
      }
      out.push(got);
    }
  }
  // Partitions the broker did not mention: nothing new for them.
  for (const w of want.values()) {
    out.push({
      topic: w.topic,
      partition: w.partition,
      from: w.offset,
      records: [],
      next: w.offset,
      highWatermark: -1n,
    });
  }
  return out;
}
