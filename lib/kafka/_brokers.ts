/** Validation of `host:port` broker lists. */
import { KafkaRequestError } from "./errors.ts";

/** Checks a broker list and returns it unchanged; names `setting` in the error. */
export function parseBrokers(brokers: readonly string[], setting: string): string[] {
  if (!Array.isArray(brokers) || brokers.length === 0) {
    throw new KafkaRequestError(`${setting}: at least one broker (host:port) is required`);
  }
  for (const b of brokers) {
    const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):([0-9]{1,5})$/.exec(b);
    if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) {
      throw new KafkaRequestError(`${setting}: ${JSON.stringify(b)} is not host:port`);
    }
  }
  return [...brokers];
}
