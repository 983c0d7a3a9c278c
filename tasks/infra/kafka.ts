/**
 * Apache Kafka 4.1.1 in KRaft mode (stands in for Redpanda: same Kafka API), from the Maven
 * Central jars exactly as INFRA.md describes.
 *
 * @module
 */
import { obstackCache } from "./cache.ts";
import { withFileLock } from "./lock.ts";
import { type Component, spawnComponent } from "./process.ts";
import { formatDuration, say, withTicker } from "./progress.ts";

/** Kafka version fetched from Maven Central. */
export const KAFKA_VERSION = "4.1.1";
const LOG4J_VERSION = "2.24.3";

/** The JVM used for Kafka (Debian's OpenJDK 17). */
export const KAFKA_JAVA = "java";

/** Folder holding the pom and `lib/` with the broker's runtime jars. */
export function kafkaHome(): string {
  return `${obstackCache()}/kafka-${KAFKA_VERSION}`;
}

/** Java classpath of the broker (also runs `kafka.tools.DumpLogSegments`, `StorageTool`). */
export function kafkaClasspath(): string {
  return `${kafkaHome()}/lib/*`;
}

const POM = `<?xml version="1.0" encoding="UTF-8"?>
<!-- Runtime jars of a single-node Kafka broker; copied with dependency:copy-dependencies. -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>obstack.local</groupId>
  <artifactId>kafka-runtime</artifactId>
  <version>${KAFKA_VERSION}</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka_2.13</artifactId>
      <version>${KAFKA_VERSION}</version>
    </dependency>
    <!-- Without an SLF4J binding the broker logs nothing, not even errors. -->
    <dependency>
      <groupId>org.apache.logging.log4j</groupId>
      <artifactId>log4j-slf4j-impl</artifactId>
      <version>${LOG4J_VERSION}</version>
    </dependency>
  </dependencies>
</project>
`;

/** Runs a command to completion, throwing with its output on failure. */
export async function run(
  component: string,
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: Record<string, string> } = {},
): Promise<string> {
  const out = await new Deno.Command(cmd, {
    args,
    cwd: opts.cwd,
    env: opts.env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  if (!out.success) {
    throw new Error(
      `${component}: ${cmd} ${args.join(" ")} failed (exit ${out.code}):\n${
        text.trimEnd().split("\n").slice(-30).join("\n")
      }`,
    );
  }
  return text;
}

/**
 * Fetches the broker jars into the cache (once per version; ~45 s cold). Idempotent and
 * safe to call from two processes at once.
 */
export async function ensureKafka(): Promise<string> {
  const home = kafkaHome();
  const done = `${home}/.complete`;
  if (await Deno.stat(done).then(() => true, () => false)) return home;
  await withFileLock(`${home}.lock`, "kafka", async () => {
    if (await Deno.stat(done).then(() => true, () => false)) return;
    await Deno.mkdir(home, { recursive: true });
    await Deno.writeTextFile(`${home}/pom.xml`, POM);
    await Deno.remove(`${home}/lib`, { recursive: true }).catch(() => {});
    const started = Date.now();
    say("kafka", `fetching jars of Kafka ${KAFKA_VERSION} (first run, ~45 s)…`);
    await withTicker("kafka", "fetching jars", () =>
      run("kafka", "mvn", [
        "-q",
        "-B",
        "dependency:copy-dependencies",
        "-DoutputDirectory=lib",
        "-DincludeScope=runtime",
      ], { cwd: home }));
    await Deno.writeTextFile(done, `${new Date().toISOString()}\n`);
    say("kafka", `jars ready in ${home} (${formatDuration(Date.now() - started)})`);
  });
  return home;
}

/** Options of {@link startKafka}. */
export interface KafkaOptions {
  /** PLAINTEXT listener port (client bootstrap). */
  port: number;
  /** CONTROLLER listener port. */
  controllerPort: number;
  /** Holds config/ and the KRaft log dirs; kept across restarts. */
  dataDir: string;
  logFile: string;
  pidFile?: string;
  /** Readiness timeout (default 90 s, INFRA.md's CI allowance). */
  timeoutMs?: number;
}

/**
 * A new KRaft cluster id, as `StorageTool random-uuid` makes it (16 random bytes, base64url
 * without padding, never starting with "-"), without paying for a JVM start.
 */
export function kafkaClusterId(): string {
  while (true) {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    const id = btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_")
      .replace(/=+$/, "");
    if (!id.startsWith("-") && bytes.some((b) => b !== 0)) return id;
  }
}

/** server.properties for a single combined broker+controller node. */
export function kafkaServerProperties(
  o: { port: number; controllerPort: number; logDirs: string },
) {
  return [
    "process.roles=broker,controller",
    "node.id=1",
    `controller.quorum.voters=1@127.0.0.1:${o.controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${o.port},CONTROLLER://127.0.0.1:${o.controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${o.port}`,
    "controller.listener.names=CONTROLLER",
    "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
    "inter.broker.listener.name=PLAINTEXT",
    `log.dirs=${o.logDirs}`,
    "num.partitions=1",
    "offsets.topic.replication.factor=1",
    "offsets.topic.num.partitions=1",
    "transaction.state.log.replication.factor=1",
    "transaction.state.log.min.isr=1",
    "transaction.state.log.num.partitions=1",
    "share.coordinator.state.topic.replication.factor=1",
    "share.coordinator.state.topic.min.isr=1",
    "share.coordinator.state.topic.num.partitions=1",
    "group.initial.rebalance.delay.ms=0",
    // Topics are created explicitly (by `up` / the tests), never by a stray produce.
    "auto.create.topics.enable=false",
    // message.max.bytes keeps the broker default (~1 MiB): ingest must split larger requests.
    "",
  ].join("\n");
}

const LOG4J2 = [
  "status = warn",
  "appender.console.type = Console",
  "appender.console.name = STDOUT",
  "appender.console.layout.type = PatternLayout",
  "appender.console.layout.pattern = [%d] %p %m (%c)%n",
  "rootLogger.level = INFO",
  "rootLogger.appenderRefs = stdout",
  "rootLogger.appenderRef.stdout.ref = STDOUT",
  "logger.statechange.name = state.change.logger",
  "logger.statechange.level = WARN",
  "logger.request.name = kafka.request.logger",
  "logger.request.level = WARN",
  "",
].join("\n");

/**
 * Starts the broker (formatting its storage on first use) and waits for `Kafka Server
 * started` and the client port.
 */
export async function startKafka(opts: KafkaOptions): Promise<Component> {
  await ensureKafka();
  const configDir = `${opts.dataDir}/config`;
  const logDirs = `${opts.dataDir}/kraft`;
  await Deno.mkdir(configDir, { recursive: true });
  await Deno.mkdir(logDirs, { recursive: true });
  const serverProps = `${configDir}/server.properties`;
  const log4j = `${configDir}/log4j2.properties`;
  await Deno.writeTextFile(serverProps, kafkaServerProperties({ ...opts, logDirs }));
  await Deno.writeTextFile(log4j, LOG4J2);
  // Format only once: reformatting an existing log dir fails with "Invalid cluster.id".
  if (!(await Deno.stat(`${logDirs}/meta.properties`).then(() => true, () => false))) {
    say("kafka", `formatting storage in ${logDirs}`);
    const cid = kafkaClusterId();
    await run("kafka", KAFKA_JAVA, [
      `-Dlog4j2.configurationFile=${log4j}`,
      "-cp",
      kafkaClasspath(),
      "kafka.tools.StorageTool",
      "format",
      "-t",
      cid,
      "-c",
      serverProps,
    ]);
  }
  say("kafka", `starting on 127.0.0.1:${opts.port} …`);
  return await spawnComponent({
    name: "kafka",
    cmd: KAFKA_JAVA,
    args: [
      "-Xms256m",
      "-Xmx512m",
      "-XX:+UseG1GC",
      "-XX:TieredStopAtLevel=1",
      `-Dlog4j2.configurationFile=${log4j}`,
      "-cp",
      kafkaClasspath(),
      "kafka.Kafka",
      serverProps,
    ],
    logFile: opts.logFile,
    pidFile: opts.pidFile,
    ready: [
      { logLine: "Kafka Server started" },
      { tcp: { host: "127.0.0.1", port: opts.port } },
    ],
    timeoutMs: opts.timeoutMs ?? 90_000,
    ports: [opts.port, opts.controllerPort],
    stopGraceMs: 30_000,
    endpoints: {
      bootstrap: `127.0.0.1:${opts.port}`,
      controller: `127.0.0.1:${opts.controllerPort}`,
    },
  });
}
