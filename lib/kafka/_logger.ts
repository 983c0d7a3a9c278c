/** The logging surface the Kafka module needs; any structured logger with these methods fits. */
export interface KafkaLogger {
  debug?(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** A logger that drops everything (the default). */
export const silentLogger: KafkaLogger = {
  info() {},
  warn() {},
  error() {},
};
