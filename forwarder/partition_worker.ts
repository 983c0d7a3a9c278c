/**
 * One partition's worker: buffers the partition's records, hands them to delivery in offset
 * order once enough arrived (count, bytes) or the linger time is up, sends dead letters, and
 * commits only after all of that succeeded. Partitions have one worker each and run in
 * parallel; within a partition there is never more than one batch in flight, so order holds.
 *
 * Memory is bounded by pausing the partition at the consumer when the worker holds more than
 * its share of bytes, and while a sink is being retried (nothing more is fetched meanwhile).
 *
 * @module
 */
import type { InRecord } from "../lib/kafka/mod.ts";
import type { Logger } from "../lib/log/mod.ts";
import { sleep } from "./backoff.ts";
import type { DeadLetter } from "./dead_letter.ts";
import type { Deliver } from "./deliver.ts";

/** What a worker needs from the service. */
export interface PartitionWorkerOptions {
  topic: string;
  partition: number;
  deliver: Deliver;
  /** Publishes dead letters (acks=all); retries until done or `signal` aborts. */
  sendDeadLetters: (dead: DeadLetter[], signal: AbortSignal) => Promise<void>;
  /** Commits `nextOffset`; rejects when the partition is no longer ours. */
  commit: (nextOffset: bigint) => Promise<void>;
  /** Whether the partition is still assigned to this member. */
  assigned: () => boolean;
  pause: () => void;
  resume: () => void;
  batchMaxRecords: number;
  batchMaxBytes: number;
  lingerMs: number;
  /** Bytes this worker may hold before pausing its partition. */
  maxBufferedBytes: () => number;
  /** Told about changes in held bytes (for the gauge). */
  onBuffered?: (delta: number) => void;
  /** Told when the partition is paused (+1) or resumed (−1). */
  onPaused?: (delta: number) => void;
  /** Told after each commit (records committed). */
  onCommitted?: (records: number) => void;
  /** Aborted on shutdown after the grace period: the in-flight batch is abandoned uncommitted. */
  signal: AbortSignal;
  log: Logger;
}

/** A running partition worker. */
export interface PartitionWorker {
  /** Adds fetched records (duplicates of records already taken are ignored). */
  enqueue(records: readonly InRecord[]): void;
  /** Stops taking new batches; resolves when the in-flight batch finished or was abandoned. */
  stop(): Promise<void>;
  /** True once the worker ended (stopped, or the partition was revoked). */
  readonly done: boolean;
  /** Records buffered or in flight. */
  readonly held: number;
}

/** Starts a worker for one partition. */
export function startPartitionWorker(o: PartitionWorkerOptions): PartitionWorker {
  const log = o.log.child({ topic: o.topic, partition: o.partition });
  let buffer: InRecord[] = [];
  let bufferedBytes = 0;
  let inflightBytes = 0;
  let inflight = 0;
  let firstAt = 0;
  let lastEnqueued = -1n;
  let stopping = false;
  let done = false;
  let pausedForMemory = false;
  let pausedForRetry = false;
  let isPaused = false;
  let wake: (() => void) | undefined;

  const setPaused = () => {
    const want = pausedForMemory || pausedForRetry;
    const was = isPaused;
    if (want && !was) {
      o.pause();
      isPaused = true;
      o.onPaused?.(1);
    } else if (!want && was) {
      o.resume();
      isPaused = false;
      o.onPaused?.(-1);
    }
  };
  const checkMemory = () => {
    pausedForMemory = bufferedBytes + inflightBytes > o.maxBufferedBytes();
    setPaused();
  };

  const loop = async () => {
    while (!stopping) {
      if (buffer.length === 0) {
        await new Promise<void>((r) => (wake = r));
        continue;
      }
      const due = firstAt + o.lingerMs - Date.now();
      if (due > 0 && buffer.length < o.batchMaxRecords && bufferedBytes < o.batchMaxBytes) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        await new Promise<void>((r) => {
          wake = r;
          timer = setTimeout(r, due);
        });
        clearTimeout(timer);
        continue;
      }
      const batch = buffer;
      buffer = [];
      inflightBytes = bufferedBytes;
      bufferedBytes = 0;
      inflight = batch.length;
      try {
        const dead = await o.deliver(batch, o.signal, {
          onRetry: () => {
            pausedForRetry = true;
            setPaused();
          },
        });
        if (dead.length > 0) await o.sendDeadLetters(dead, o.signal);
        const next = batch[batch.length - 1]!.offset + 1n;
        try {
          await o.commit(next);
          o.onCommitted?.(batch.length);
        } catch (e) {
          if (!o.assigned()) {
            // Revoked during the batch: the new owner starts from the last commit.
            log.info("partition revoked; dropping its buffered records", { error: e });
            stopping = true;
          } else {
            // Commits are cumulative: the next successful one covers this batch.
            log.warn("offset commit failed; the next commit covers it", { error: e, offset: next });
          }
        }
      } catch (e) {
        if (o.signal.aborted) {
          log.info(
            "in-flight batch abandoned at shutdown (not committed; it will be redelivered)",
            {
              records: batch.length,
              first_offset: batch[0]!.offset,
            },
          );
          stopping = true;
        } else {
          // Delivery only rejects on abort; anything else is a bug. Do not commit, do not spin.
          log.error("batch failed unexpectedly; retrying it", { error: e });
          buffer = [...batch, ...buffer];
          bufferedBytes += inflightBytes;
          o.onBuffered?.(inflightBytes); // still held; the finally below releases the in-flight share
          await sleep(1000, o.signal).catch(() => {});
        }
      } finally {
        o.onBuffered?.(-inflightBytes);
        inflightBytes = 0;
        inflight = 0;
        pausedForRetry = false;
        if (!stopping) checkMemory();
      }
    }
    o.onBuffered?.(-bufferedBytes);
    buffer = [];
    bufferedBytes = 0;
    done = true;
    if (isPaused) o.onPaused?.(-1);
  };
  const running = loop();

  return {
    enqueue(records) {
      if (stopping) return;
      let added = 0;
      for (const r of records) {
        // A refetch after a rebalance can repeat records this worker already has.
        if (r.offset <= lastEnqueued) continue;
        lastEnqueued = r.offset;
        if (buffer.length === 0) firstAt = Date.now();
        buffer.push(r);
        added += r.value.length;
      }
      bufferedBytes += added;
      o.onBuffered?.(added);
      checkMemory();
      wake?.();
    },
    async stop() {
      stopping = true;
      wake?.();
      await running;
    },
    get done() {
      return done;
    },
    get held() {
      return buffer.length + inflight;
    },
  };
}
