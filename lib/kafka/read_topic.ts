/**
 * Test helper: reads a topic from the beginning without joining a group or committing.
 *
 * @module
 */
import type { InRecord } from "./contract.ts";

/** Options of {@linkcode readTopic}. */
export interface ReadTopicOptions {
  /** Give up after this long and return what was read. */
  timeoutMs: number;
  /** Return as soon as this many records were read. Without it, reads up to the high watermark. */
  expect?: number;
}

/** Reads every record of `topic` (all partitions) from offset 0, ordered per partition. */
export function readTopic(
  brokers: string[],
  topic: string,
  options: ReadTopicOptions,
): Promise<InRecord[]> {
  void brokers, topic, options;
  throw new Error("readTopic: implementation lands in the next commit");
}
