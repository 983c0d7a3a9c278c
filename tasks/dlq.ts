/**
 * `deno task dlq`: list and replay dead-lettered records.
 *
 * ```
 * deno task dlq list   [--tenant T] [--sink S] [--from-offset N] [--json]
 * deno task dlq replay [--tenant T] [--sink S] [--from-offset N] [--include-undecodable] [--dry-run]
 * ```
 *
 * `replay` publishes each selected record back to the topic it came from, with its headers,
 * including the `obstack-dlq-*` ones: the forwarder then delivers it only to the sink that
 * refused it (the others already have it) and keeps its original coordinates, so OpenSearch
 * documents are overwritten, not duplicated. Records that could not be decoded (sink `decode`)
 * are skipped unless `--include-undecodable` is given. The dead-letter topic is append-only:
 * `replay` prints the offset to pass as `--from-offset` next time.
 *
 * Brokers and topic come from OBSTACK_KAFKA_BROKERS and OBSTACK_TOPIC_DLQ (as the forwarder).
 *
 * @module
 */
import { parseArgs } from "node:util";
import {
  createKafkaProducer,
  HEADER,
  type InRecord,
  type OutRecord,
  readTopic,
  TOPIC_DEFAULTS,
} from "../lib/kafka/mod.ts";

/** A dead letter as listed. */
export interface DeadLetterRow {
  partition: number;
  offset: string;
  tenant: string;
  format: string;
  sink: string;
  origin: string;
  reason: string;
  bytes: number;
}

/** Filters of `list` and `replay`. */
export interface DeadLetterFilter {
  tenant?: string;
  sink?: string;
  /** Only records at or after this offset (of every DLQ partition). */
  fromOffset?: bigint;
  /** Include records that could not be decoded (sink `decode`). */
  includeUndecodable?: boolean;
}

/** Reads the dead-letter topic from the beginning. */
export function readDeadLetters(
  brokers: string[],
  topic: string,
  timeoutMs = 15_000,
): Promise<InRecord[]> {
  return readTopic(brokers, topic, { timeoutMs });
}

/** The records a filter selects. */
export function selectDeadLetters(records: readonly InRecord[], f: DeadLetterFilter): InRecord[] {
  return records.filter((r) =>
    (f.tenant === undefined || r.headers[HEADER.tenant] === f.tenant) &&
    (f.sink === undefined || r.headers[HEADER.dlqSink] === f.sink) &&
    (f.fromOffset === undefined || r.offset >= f.fromOffset)
  );
}

/** One table row per record. */
export function describeDeadLetter(r: InRecord): DeadLetterRow {
  const h = r.headers;
  return {
    partition: r.partition,
    offset: String(r.offset),
    tenant: h[HEADER.tenant] ?? r.key ?? "",
    format: h[HEADER.format] ?? "",
    sink: h[HEADER.dlqSink] ?? "",
    origin: `${h[HEADER.dlqTopic] ?? "?"}/${h[HEADER.dlqPartition] ?? "?"}@${
      h[HEADER.dlqOffset] ?? "?"
    }`,
    reason: h[HEADER.dlqReason] ?? "",
    bytes: r.value.length,
  };
}

/**
 * The records to publish for a replay: back to their original topic, key and headers kept.
 * Records without an original topic, and undecodable ones unless asked for, are left out.
 */
export function replayRecords(
  records: readonly InRecord[],
  f: DeadLetterFilter,
): { out: OutRecord[]; skipped: InRecord[] } {
  const out: OutRecord[] = [];
  const skipped: InRecord[] = [];
  for (const r of selectDeadLetters(records, f)) {
    const topic = r.headers[HEADER.dlqTopic];
    if (!topic || (r.headers[HEADER.dlqSink] === "decode" && !f.includeUndecodable)) {
      skipped.push(r);
      continue;
    }
    out.push({
      topic,
      key: r.key ?? r.headers[HEADER.tenant] ?? "",
      value: r.value,
      headers: { ...r.headers },
    });
  }
  return { out, skipped };
}

/** Publishes replay records (acks=all). */
export async function publishReplay(brokers: string[], records: OutRecord[]): Promise<void> {
  if (records.length === 0) return;
  const producer = await createKafkaProducer({
    brokers,
    clientId: "obstack-dlq-replay",
    compression: "snappy",
    timeoutMs: 30_000,
  });
  try {
    for (let i = 0; i < records.length; i += 500) await producer.send(records.slice(i, i + 500));
  } finally {
    await producer.close();
  }
}

function usage(): never {
  console.error(
    "usage: deno task dlq list   [--tenant T] [--sink S] [--from-offset N] [--json]\n" +
      "       deno task dlq replay [--tenant T] [--sink S] [--from-offset N] [--include-undecodable] [--dry-run]",
  );
  Deno.exit(2);
}

async function main(args: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      tenant: { type: "string" },
      sink: { type: "string" },
      "from-offset": { type: "string" },
      "include-undecodable": { type: "boolean" },
      "dry-run": { type: "boolean" },
      json: { type: "boolean" },
    },
  });
  const cmd = positionals[0];
  if (cmd !== "list" && cmd !== "replay") usage();
  const brokers = (Deno.env.get("OBSTACK_KAFKA_BROKERS") || "127.0.0.1:19092").split(",").map((s) =>
    s.trim()
  ).filter(Boolean);
  const topic = Deno.env.get("OBSTACK_TOPIC_DLQ") || TOPIC_DEFAULTS.dlq;
  const from = values["from-offset"];
  if (from !== undefined && !/^\d+$/.test(from)) usage();
  const filter: DeadLetterFilter = {
    ...(values.tenant ? { tenant: values.tenant } : {}),
    ...(values.sink ? { sink: values.sink } : {}),
    ...(from !== undefined ? { fromOffset: BigInt(from) } : {}),
    includeUndecodable: values["include-undecodable"] ?? false,
  };
  const records = await readDeadLetters(brokers, topic);
  if (cmd === "list") {
    const rows = selectDeadLetters(records, filter).map(describeDeadLetter);
    if (values.json) {
      for (const r of rows) console.log(JSON.stringify(r));
    } else {
      console.log(`${rows.length} dead-lettered record(s) in ${topic}`);
      for (const r of rows) {
        console.log(
          `${r.partition}@${r.offset}  tenant=${r.tenant}  format=${r.format}  sink=${r.sink}  origin=${r.origin}  ${r.bytes} B\n    ${r.reason}`,
        );
      }
    }
    return;
  }
  const { out, skipped } = replayRecords(records, filter);
  const next = records.reduce((m, r) => (r.offset + 1n > m ? r.offset + 1n : m), 0n);
  if (values["dry-run"]) {
    console.log(`would replay ${out.length} record(s); ${skipped.length} skipped`);
  } else {
    await publishReplay(brokers, out);
    console.log(
      `replayed ${out.length} record(s) to their original topics; ${skipped.length} skipped`,
    );
  }
  for (const s of skipped) {
    console.log(`  skipped ${s.partition}@${s.offset} (sink=${s.headers[HEADER.dlqSink] ?? "?"})`);
  }
  console.log(`next time: --from-offset ${next}`);
}

if (import.meta.main) {
  try {
    await main(Deno.args);
  } catch (e) {
    console.error(`dlq: ${e instanceof Error ? e.message : e}`);
    Deno.exit(1);
  }
}
