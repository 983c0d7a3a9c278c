/**
 * The group consumer the at-least-once forwarder reads through: batches per partition, manual
 * commits only, pause/resume per partition, lag for metrics.
 *
 * Group membership (join, sync, heartbeats, rejoin after a rebalance) is the client library's
 * classic-protocol `Consumer`; fetching and committing are done here with its low-level calls so
 * that this module, not a stream, owns the fetch positions:
 * - a paused partition is not fetched at all, and its already fetched batches are held back;
 * - at most `maxUncommittedRecords` offsets per partition are fetched ahead of the last commit
 *   (bounded memory, and natural back-pressure when a sink is slow);
 * - a commit is sent with the generation of the group the partition was assigned in. The
 *   library's own `commit()` would rejoin and re-send a commit that the broker refused during a
 *   rebalance, even for a partition that moved to another member meanwhile; here such a commit
 *   is retried only when this member still owns the partition without interruption, otherwise
 *   it is refused with {@linkcode KafkaCommitRejectedError}.
 *
 * @module
 */
import {
  ConnectionPool,
  Consumer,
  ListOffsetTimestamps,
  offsetCommitV8,
} from "@platformatic/kafka";
import type { InRecord } from "./contract.ts";
import { KafkaCommitRejectedError, KafkaRequestError, KafkaUnavailableError } from "./errors.ts";
import { type KafkaLogger, silentLogger } from "./_logger.ts";
import { apiErrorIds, describeError, toKafkaError } from "./_errors.ts";
import { parseBrokers } from "./_brokers.ts";
import { fetchOnce } from "./_fetcher.ts";
import { Signal } from "./_signal.ts";
import { withDeadline } from "./_deadline.ts";

/** Options of {@linkcode createKafkaConsumer}. */
export interface KafkaConsumerConfig {
  brokers: string[];
  groupId: string;
  clientId: string;
  /** Topics to subscribe to; they must exist (see `KafkaAdmin.ensureTopics`). */
  topics: string[];
  /** Most records in one batch (default 500). */
  maxBatchRecords?: number;
  /** Longest the broker holds a fetch waiting for data (default 500). */
  maxWaitMs?: number;
  /**
   * Per partition, how many offsets may be fetched beyond the last commit before fetching of that
   * partition stops until the next commit (default 10 × maxBatchRecords). Bounds memory; a
   * consumer that never commits stops receiving after this many records per partition.
   */
  maxUncommittedRecords?: number;
  /** Group session timeout: how fast a dead member's partitions move (default 10000). */
  sessionTimeoutMs?: number;
  /** How long the group waits for members to rejoin during a rebalance (default 30000). */
  rebalanceTimeoutMs?: number;
  /** Heartbeat interval (default 1000). */
  heartbeatIntervalMs?: number;
  /** How long `createKafkaConsumer` waits for the first group join (default 30000). */
  joinTimeoutMs?: number;
  logger?: KafkaLogger;
}

/** Records of one partition, in offset order. */
export interface RecordBatch {
  topic: string;
  partition: number;
  records: InRecord[];
}

/** A consumer group member. */
export interface KafkaConsumer {
  /**
   * The batches as they arrive; each holds records of a single partition, in offset order, and a
   * partition's batches come in offset order. Batches of paused partitions are held back; batches
   * of a partition that was revoked are dropped. Meant for one reader at a time; the iteration
   * ends when the consumer is closed.
   */
  batches(): AsyncIterable<RecordBatch>;
  /**
   * Commits `nextOffset` (= last processed offset + 1) for a partition. A commit at or below the
   * last commit is a no-op. Rejects with {@linkcode KafkaCommitRejectedError} when the partition
   * is no longer assigned to this member (after a rebalance) — drop the batch, its records go to
   * the new owner — and with a retriable {@linkcode KafkaUnavailableError} when the broker cannot
   * be reached.
   */
  commit(topic: string, partition: number, nextOffset: bigint): Promise<void>;
  /** Stops fetching the partition and holds back its fetched batches until `resume`. */
  pause(topic: string, partition: number): void;
  /** Undoes {@linkcode KafkaConsumer.pause}. */
  resume(topic: string, partition: number): void;
  /**
   * Drops the partition's fetched-but-not-yielded batches and fetches again from the last commit
   * (for a batch that is abandoned instead of retried).
   */
  rewind(topic: string, partition: number): void;
  /** Lag per `topic/partition` of the current assignment: log end offset − last commit. */
  lag(): Promise<Record<string, number>>;
  /** The partitions currently assigned to this member. */
  assignment(): { topic: string; partition: number }[];
  /**
   * True when this member is in the group (heartbeating) and a metadata request to the brokers
   * succeeds within `timeoutMs` — what the forwarder's `/readyz` reports.
   */
  ready(timeoutMs: number): Promise<boolean>;
  /** Stops fetching and leaves the group (its partitions move to the other members at once). */
  close(): Promise<void>;
}

interface PartState {
  topic: string;
  partition: number;
  /** Ownership token: changes whenever the partition is (re)assigned to this member. */
  epoch: number;
  /** Next offset to fetch; null until read from the group's committed offsets. */
  position: bigint | null;
  /** Highest offset fetched so far in this ownership (commit upper bound). */
  fetchedUpTo: bigint;
  /** Last committed offset (or the start position when nothing was committed yet). */
  committed: bigint;
  queue: RecordBatch[];
  paused: boolean;
  resetToEarliest: boolean;
  commitChain: Promise<void>;
}

const REJOIN_ERRORS = [
  "REBALANCE_IN_PROGRESS",
  "ILLEGAL_GENERATION",
  "UNKNOWN_MEMBER_ID",
  "FENCED_INSTANCE_ID",
];

const keyOf = (topic: string, partition: number) => `${topic}/${partition}`;

/** Creates a consumer, joins the group and starts fetching. */
export async function createKafkaConsumer(config: KafkaConsumerConfig): Promise<KafkaConsumer> {
  const brokers = parseBrokers(config.brokers, "brokers");
  if (!config.groupId) throw new KafkaRequestError("createKafkaConsumer: groupId is empty");
  if (!config.clientId) throw new KafkaRequestError("createKafkaConsumer: clientId is empty");
  if (!Array.isArray(config.topics) || config.topics.length === 0) {
    throw new KafkaRequestError("createKafkaConsumer: topics is empty");
  }
  const maxBatchRecords = positive(config.maxBatchRecords ?? 500, "maxBatchRecords");
  const maxWaitMs = positive(config.maxWaitMs ?? 500, "maxWaitMs");
  const maxUncommitted = BigInt(
    positive(config.maxUncommittedRecords ?? maxBatchRecords * 10, "maxUncommittedRecords"),
  );
  const sessionTimeout = positive(config.sessionTimeoutMs ?? 10_000, "sessionTimeoutMs");
  const rebalanceTimeout = positive(config.rebalanceTimeoutMs ?? 30_000, "rebalanceTimeoutMs");
  const heartbeatInterval = positive(config.heartbeatIntervalMs ?? 1000, "heartbeatIntervalMs");
  const joinTimeout = positive(config.joinTimeoutMs ?? 30_000, "joinTimeoutMs");
  const log = config.logger ?? silentLogger;

  const consumer = new Consumer({
    clientId: config.clientId,
    groupId: config.groupId,
    bootstrapBrokers: brokers,
    autocommit: false,
    sessionTimeout,
    rebalanceTimeout,
    heartbeatInterval,
    maxWaitTime: maxWaitMs,
    // A fetch is a long poll: the socket-level timeout must outlast it.
    requestTimeout: maxWaitMs + 15_000,
    connectTimeout: 5000,
    retries: 3,
    retryDelay: 500,
    metadataMaxAge: 30_000,
  });
  for (const t of config.topics) consumer.topics.track(t);
  // Fetches are long polls and a broker answers the requests of one connection in order: on the
  // group's connection they would hold back heartbeats and commits for up to maxWaitMs each.
  const fetchPool = new ConnectionPool(`${config.clientId}-fetch`, {
    connectTimeout: 5000,
    requestTimeout: maxWaitMs + 15_000,
  });

  const owned = new Map<string, PartState>();
  let epochCounter = 0;
  let closing = false;
  let joining = false;
  let needJoin = true;
  let rebalancing = false;
  let lastMemberId: string | null = null;
  let rr = 0;
  const loopWake = new Signal();
  const dataReady = new Signal();
  const joined = new Signal();

  // The library emits 'error' when a rejoin it started by itself failed; it then stops
  // heartbeating, so the fetch loop has to join again. (An unhandled 'error' event would throw.)
  consumer.on("error", (e: Error) => {
    log.warn("kafka consumer group rejoin failed", { error: describeError(e) });
    needJoin = true;
    rebalancing = false;
    loopWake.notify();
  });
  consumer.on("consumer:group:rebalance", () => {
    rebalancing = true;
    log.info("kafka consumer group rebalancing", { group: config.groupId });
  });
  consumer.on("consumer:group:join", (payload) => {
    rebalancing = false;
    needJoin = false;
    const memberChanged = lastMemberId !== null && payload.memberId !== lastMemberId;
    lastMemberId = payload.memberId;
    syncAssignment(memberChanged);
    log.info("kafka consumer joined group", {
      group: config.groupId,
      member: payload.memberId,
      memberChanged,
      generation: payload.generationId,
      assignment: [...owned.keys()],
    });
    joined.notify();
    loopWake.notify();
    dataReady.notify();
  });

  function syncAssignment(resetAll: boolean): void {
    const assigned = new Set<string>();
    for (const a of consumer.assignments ?? []) {
      for (const p of a.partitions) assigned.add(keyOf(a.topic, p));
    }
    for (const [key, s] of owned) {
      if (resetAll || !assigned.has(key)) {
        owned.delete(key);
        log.info("kafka partition revoked", { partition: key, fetchedUpTo: String(s.fetchedUpTo) });
      }
    }
    for (const a of consumer.assignments ?? []) {
      for (const p of a.partitions) {
        const key = keyOf(a.topic, p);
        if (owned.has(key)) continue;
        owned.set(key, {
          topic: a.topic,
          partition: p,
          epoch: ++epochCounter,
          position: null,
          fetchedUpTo: -1n,
          committed: -1n,
          queue: [],
          paused: false,
          resetToEarliest: false,
          commitChain: Promise.resolve(),
        });
      }
    }
  }

  async function join(): Promise<void> {
    joining = true;
    try {
      await withDeadline(
        consumer.joinGroup({ sessionTimeout, rebalanceTimeout, heartbeatInterval }),
        rebalanceTimeout + 10_000,
        () => new KafkaUnavailableError(`joining group ${config.groupId} timed out`),
      );
      needJoin = false;
    } finally {
      joining = false;
    }
  }

  /** Reads the start offset of newly assigned partitions: the group's commit, else the earliest. */
  async function initPositions(): Promise<void> {
    const pending = [...owned.values()].filter((s) => s.position === null);
    if (pending.length === 0) return;
    const byTopic = groupByTopic(pending);
    const committed = await consumer.listCommittedOffsets({
      topics: [...byTopic].map(([topic, ps]) => ({
        topic,
        partitions: ps.map((s) => s.partition),
      })),
    });
    const needEarliest: PartState[] = [];
    for (const s of pending) {
      const c = committed.get(s.topic)?.[s.partition];
      if (typeof c === "bigint" && c >= 0n && !s.resetToEarliest) setStart(s, c);
      else needEarliest.push(s);
    }
    if (needEarliest.length === 0) return;
    const e = groupByTopic(needEarliest);
    const earliest = await consumer.listOffsets({
      topics: [...e.keys()],
      partitions: Object.fromEntries([...e].map(([t, ps]) => [t, ps.map((s) => s.partition)])),
      timestamp: ListOffsetTimestamps.EARLIEST,
    });
    for (const s of needEarliest) {
      const o = earliest.get(s.topic)?.[s.partition];
      if (typeof o === "bigint" && o >= 0n) setStart(s, o);
    }
  }

  function setStart(s: PartState, offset: bigint): void {
    // The partition may have been revoked while we were asking.
    if (owned.get(keyOf(s.topic, s.partition)) !== s) return;
    s.position = offset;
    s.resetToEarliest = false;
    if (s.committed < offset) s.committed = offset;
    if (s.fetchedUpTo < offset) s.fetchedUpTo = offset;
  }

  async function fetchRound(): Promise<boolean> {
    const wants = [...owned.values()].filter((s) =>
      s.position !== null && !s.paused && s.queue.length === 0 &&
      s.position - s.committed < maxUncommitted
    );
    if (wants.length === 0) return false;
    const snapshot = new Map(wants.map((s) => [s, s.epoch]));
    const got = await fetchOnce(
      consumer,
      wants.map((s) => ({ topic: s.topic, partition: s.partition, offset: s.position! })),
      {
        maxWaitMs,
        maxBytes: 16 * 1024 * 1024,
        partitionMaxBytes: 2 * 1024 * 1024,
        pool: fetchPool,
      },
    );
    let any = false;
    for (const g of got) {
      const s = owned.get(keyOf(g.topic, g.partition));
      // Revoked, re-assigned or rewound while the fetch was in flight: the data is stale.
      if (!s || snapshot.get(s) !== s.epoch || s.position !== g.from) continue;
      if (g.error) {
        if (g.error === "OFFSET_OUT_OF_RANGE") {
          // The committed offset was deleted by retention: start again at the earliest offset.
          log.warn("kafka offset out of range, resetting to earliest", {
            partition: keyOf(g.topic, g.partition),
            offset: String(g.from),
          });
          s.position = null;
          s.resetToEarliest = true;
        } else {
          log.warn("kafka fetch error", { partition: keyOf(g.topic, g.partition), error: g.error });
          consumer.clearMetadata();
        }
        continue;
      }
      for (let i = 0; i < g.records.length; i += maxBatchRecords) {
        s.queue.push({
          topic: g.topic,
          partition: g.partition,
          records: g.records.slice(i, i + maxBatchRecords),
        });
        any = true;
      }
      s.position = g.next;
      if (g.next > s.fetchedUpTo) s.fetchedUpTo = g.next;
    }
    if (any) dataReady.notify();
    return true;
  }

  async function loop(): Promise<void> {
    let failures = 0;
    let inactiveSince = 0;
    while (!closing) {
      try {
        if (needJoin && !joining) {
          await join();
        }
        if (rebalancing || joining || !consumer.isActive()) {
          // A rejoin the library started ends with a join or an error event. If neither comes,
          // take over after a generous bound.
          inactiveSince ||= Date.now();
          if (Date.now() - inactiveSince > rebalanceTimeout + sessionTimeout) needJoin = true;
          await loopWake.wait(200);
          continue;
        }
        inactiveSince = 0;
        await initPositions();
        const fetched = await fetchRound();
        failures = 0;
        if (!fetched) await loopWake.wait(maxWaitMs);
      } catch (e) {
        if (closing) break;
        failures++;
        const delay = Math.min(5000, 100 * 2 ** Math.min(failures, 6)) * (0.5 + Math.random());
        log.warn("kafka consumer loop error", {
          error: describeError(e),
          failures,
          retryInMs: Math.round(delay),
        });
        await loopWake.wait(delay);
      }
    }
  }

  function takeNext(): RecordBatch | undefined {
    if (rebalancing) return undefined;
    const states = [...owned.values()];
    for (let i = 0; i < states.length; i++) {
      const s = states[(rr + i) % states.length]!;
      if (s.paused || s.queue.length === 0) continue;
      rr = (rr + i + 1) % states.length;
      const b = s.queue.shift()!;
      if (s.queue.length === 0) loopWake.notify();
      return b;
    }
    return undefined;
  }

  async function sendCommit(s: PartState, nextOffset: bigint): Promise<void> {
    const coordinator = await consumer.findGroupCoordinator();
    const md = await consumer.metadata({ topics: [] });
    const broker = md.brokers.get(coordinator);
    if (!broker) throw new KafkaUnavailableError(`group coordinator ${coordinator} unknown`);
    const connection = await consumer.connections.get(broker);
    const response = await offsetCommitV8.api.async(
      connection,
      config.groupId,
      consumer.generationId,
      consumer.memberId ?? "",
      null,
      [{
        name: s.topic,
        partitions: [{
          partitionIndex: s.partition,
          committedOffset: nextOffset,
          committedLeaderEpoch: -1,
          committedMetadata: null,
        }],
      }],
    );
    for (const t of response.topics) {
      for (const p of t.partitions) {
        if (p.errorCode !== 0) throw new Error(`commit failed with error code ${p.errorCode}`);
      }
    }
  }

  async function commitNow(s: PartState, nextOffset: bigint): Promise<void> {
    const key = keyOf(s.topic, s.partition);
    for (let attempt = 0;; attempt++) {
      if (owned.get(key) !== s) {
        throw new KafkaCommitRejectedError(`${key} is no longer assigned to this consumer`);
      }
      if (nextOffset <= s.committed) return;
      try {
        await sendCommit(s, nextOffset);
        if (nextOffset > s.committed) s.committed = nextOffset;
        loopWake.notify();
        return;
      } catch (e) {
        const ids = apiErrorIds(e);
        if (ids.some((id) => REJOIN_ERRORS.includes(id)) && attempt === 0) {
          // The group is rebalancing or our generation is stale. If the partition stays ours
          // across the rebalance, the commit is still ours to make with the new generation.
          log.warn("kafka commit refused by the group, waiting for it to settle", {
            partition: key,
            errors: ids,
          });
          if (!rebalancing && !joining && !needJoin) {
            rebalancing = true;
            needJoin = ids.includes("UNKNOWN_MEMBER_ID") || ids.includes("ILLEGAL_GENERATION");
            loopWake.notify();
          }
          await joined.wait(rebalanceTimeout);
          continue;
        }
        if (ids.some((id) => REJOIN_ERRORS.includes(id))) {
          throw new KafkaCommitRejectedError(`commit of ${key} refused: ${ids.join(", ")}`, {
            cause: e,
          });
        }
        throw toKafkaError(e, `commit of ${key}`);
      }
    }
  }

  const self: KafkaConsumer = {
    async *batches(): AsyncIterable<RecordBatch> {
      while (!closing) {
        const b = takeNext();
        if (b) {
          yield b;
          continue;
        }
        await dataReady.wait(1000);
      }
    },

    commit(topic: string, partition: number, nextOffset: bigint): Promise<void> {
      const key = keyOf(topic, partition);
      const s = owned.get(key);
      if (!s) {
        return Promise.reject(
          new KafkaCommitRejectedError(`${key} is not assigned to this consumer`),
        );
      }
      if (typeof nextOffset !== "bigint" || nextOffset < 0n) {
        return Promise.reject(new KafkaRequestError(`commit of ${key}: invalid offset`));
      }
      if (nextOffset > s.fetchedUpTo) {
        return Promise.reject(
          new KafkaRequestError(
            `commit of ${key} at ${nextOffset} is beyond the fetched offset ${s.fetchedUpTo}`,
          ),
        );
      }
      // One commit at a time per partition, so commits never arrive out of order.
      const run = s.commitChain.then(() => commitNow(s, nextOffset));
      s.commitChain = run.catch(() => {});
      return run;
    },

    pause(topic: string, partition: number): void {
      const s = owned.get(keyOf(topic, partition));
      if (s) s.paused = true;
    },

    resume(topic: string, partition: number): void {
      const s = owned.get(keyOf(topic, partition));
      if (s && s.paused) {
        s.paused = false;
        loopWake.notify();
        dataReady.notify();
      }
    },

    rewind(topic: string, partition: number): void {
      const s = owned.get(keyOf(topic, partition));
      if (!s || s.position === null) return;
      s.queue = [];
      s.position = s.committed;
      loopWake.notify();
    },

    async lag(): Promise<Record<string, number>> {
      const states = [...owned.values()].filter((s) => s.position !== null);
      if (states.length === 0) return {};
      const byTopic = groupByTopic(states);
      let latest;
      try {
        latest = await consumer.listOffsets({
          topics: [...byTopic.keys()],
          partitions: Object.fromEntries(
            [...byTopic].map(([t, ps]) => [t, ps.map((s) => s.partition)]),
          ),
          timestamp: ListOffsetTimestamps.LATEST,
        });
      } catch (e) {
        throw toKafkaError(e, "listOffsets");
      }
      const out: Record<string, number> = {};
      for (const s of states) {
        const end = latest.get(s.topic)?.[s.partition];
        if (typeof end === "bigint") {
          out[keyOf(s.topic, s.partition)] = Math.max(0, Number(end - s.committed));
        }
      }
      return out;
    },

    assignment() {
      return [...owned.values()].map((s) => ({ topic: s.topic, partition: s.partition }));
    },

    async ready(timeoutMs: number): Promise<boolean> {
      if (closing || !consumer.isActive()) return false;
      try {
        await withDeadline(
          consumer.metadata({ topics: [], forceUpdate: true, retries: 0 }),
          timeoutMs,
          () => new KafkaUnavailableError("metadata request timed out"),
        );
        return true;
      } catch {
        return false;
      }
    },

    async close(): Promise<void> {
      if (closing) return;
      closing = true;
      loopWake.notify();
      dataReady.notify();
      joined.notify();
      // The loop may sit in a join or in retries while the broker is away: do not wait for it
      // longer than a fetch; closing the client below ends whatever it still waits for.
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([loopDone, new Promise((r) => timer = setTimeout(r, maxWaitMs + 1000))]);
      clearTimeout(timer);
      owned.clear();
      await fetchPool.close().catch(() => {});
      try {
        await withDeadline(
          consumer.close(true),
          10_000,
          () => new KafkaUnavailableError("leaving the group timed out"),
        );
      } catch (e) {
        log.warn("kafka consumer close failed", { error: describeError(e) });
        await consumer.close(true).catch(() => {});
      }
    },
  };

  // Join first, so a consumer that cannot reach the broker fails loudly at start.
  try {
    await withDeadline(
      join(),
      joinTimeout,
      () =>
        new KafkaUnavailableError(`could not join group ${config.groupId} in ${joinTimeout} ms`),
    );
  } catch (e) {
    closing = true;
    await consumer.close(true).catch(() => {});
    await fetchPool.close().catch(() => {});
    throw toKafkaError(e, `join of group ${config.groupId}`);
  }
  const loopDone = loop();
  return self;
}

function positive(n: number, name: string): number {
  if (!Number.isSafeInteger(n) || n <= 0) {
    throw new KafkaRequestError(`createKafkaConsumer: ${name} must be a positive integer`);
  }
  return n;
}

function groupByTopic(states: PartState[]): Map<string, PartState[]> {
  const m = new Map<string, PartState[]>();
  for (const s of states) {
    const list = m.get(s.topic) ?? [];
    list.push(s);
    m.set(s.topic, list);
  }
  return m;
}
