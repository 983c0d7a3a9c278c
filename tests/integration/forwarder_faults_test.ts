/**
 * Forwarder fault tests, each ending with an exact count of what arrived:
 * - a poison (undecodable) record goes to the dead-letter topic, the records around it are
 *   delivered;
 * - a log store stopped for a while, then restarted (its own VictoriaLogs instance, stopped by
 *   pid): nothing lost, and the OpenSearch documents written meanwhile are not duplicated;
 * - OpenSearch itself stopped and restarted (its own instance): nothing lost, no duplicates;
 * - the forwarder process killed with SIGKILL in the middle of a stream and restarted: nothing
 *   lost, no duplicate OpenSearch documents (deterministic ids absorb the redelivery).
 */
import assert from "node:assert/strict";
import { readTopic } from "../../lib/kafka/mod.ts";
import { startOpenSearch } from "../../tasks/infra/opensearch.ts";
import { startVictoriaLogs } from "../../tasks/infra/victorialogs.ts";
import type { Component } from "../../tasks/infra/process.ts";
import { freePort, freePorts } from "../../tasks/infra/ports.ts";
import { writeTestTenants } from "../_helpers/tenants.ts";
import {
  forwarderEnv,
  logsPayload,
  makeTopics,
  opensearchCount,
  produce,
  randomHex,
  runForwarder,
  spawnForwarder,
  type TestEnvelope,
  vlogsCounts,
  vlogsQuery,
  waitFor,
} from "../../forwarder/_test_helpers.ts";

const kafka = Deno.env.get("OBSTACK_TEST_KAFKA");
const vlogs = Deno.env.get("OBSTACK_TEST_VLOGS");
const opensearch = Deno.env.get("OBSTACK_TEST_OPENSEARCH");
const vlogsBin = Deno.env.get("OBSTACK_BIN_VLOGS");
const opts = { sanitizeOps: false, sanitizeResources: false };
const PREFIX = "fwdfault";

/** `records` Kafka records of `perRecord` log lines each, bodies `<service>-<i>`. */
function logEnvelopes(
  tenant: string,
  service: string,
  records: number,
  perRecord: number,
  from = 0,
): TestEnvelope[] {
  return Array.from({ length: records }, (_, r) => ({
    tenant,
    format: "otlp-logs" as const,
    value: logsPayload(tenant, {
      service,
      bodies: Array.from(
        { length: perRecord },
        (_, i) => `${service}-${(from + r) * perRecord + i}`,
      ),
    }),
  }));
}

Deno.test({
  ...opts,
  ignore: !kafka || !vlogs,
  name: "forwarder dead-letters a poison record and delivers the records around it",
  async fn() {
    const tenants = await writeTestTenants([{ id: "tenant-a", numericId: 1 }]);
    const topics = await makeTopics([kafka!], "fwdpoison", 1);
    const service = `svc-${randomHex(4)}`;
    const fwd = await runForwarder(forwarderEnv(kafka!, topics, ["logs"], {
      OBSTACK_LOKI_URL: vlogs!,
      OBSTACK_TENANTS_FILE: tenants.path,
    }));
    try {
      const [before, after] = logEnvelopes("tenant-a", service, 2, 3);
      await produce([kafka!], topics.logs, [before!], [
        // Offset 1: right headers, garbage protobuf.
        {
          key: "tenant-a",
          value: new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2, 3]),
          headers: {
            "obstack-tenant": "tenant-a",
            "obstack-format": "otlp-logs",
            "obstack-received-at": "1",
          },
        },
        // Offset 2: no contract headers at all.
        { key: "tenant-a", value: new TextEncoder().encode("hello"), headers: {} },
      ]);
      await produce([kafka!], topics.logs, [after!]);
      const dlq = await readTopic([kafka!], topics.dlq, { timeoutMs: 30_000, expect: 2 });
      assert.deepEqual(
        dlq.map((
          r,
        ) => [
          r.headers["obstack-dlq-sink"],
          r.headers["obstack-dlq-offset"],
          r.headers["obstack-dlq-topic"],
        ]),
        [
          ["decode", "1", topics.logs],
          ["decode", "2", topics.logs],
        ],
      );
      assert.match(dlq[0]!.headers["obstack-dlq-reason"]!, /^decode otlp-logs: /);
      assert.match(
        dlq[1]!.headers["obstack-dlq-reason"]!,
        /^contract: .*missing header obstack-tenant/,
      );
      assert.deepEqual(
        [...dlq[1]!.value],
        [...new TextEncoder().encode("hello")],
        "value kept as is",
      );
      const got = await waitFor("the records around the poison", async () => {
        const c = await vlogsCounts(vlogs!, 1, service);
        return c.total >= 6 ? c : undefined;
      });
      assert.deepEqual(got, { total: 6, distinct: 6 });
      assert.equal((await readTopic([kafka!], topics.dlq, { timeoutMs: 2000 })).length, 2);
    } finally {
      await fwd.stop();
      await tenants.cleanup();
    }
  },
});

Deno.test({
  ...opts,
  ignore: !kafka || !opensearch || !vlogsBin,
  name:
    "forwarder loses nothing while the log store is down, and OpenSearch gets no duplicates meanwhile",
  async fn() {
    const tenants = await writeTestTenants([{ id: "tenant-a", numericId: 1 }]);
    const topics = await makeTopics([kafka!], "fwdsinkdown");
    const service = `svc-${randomHex(4)}`;
    const dir = await Deno.makeTempDir({ prefix: "fwd-vlogs-" });
    const port = freePort();
    const start = () =>
      startVictoriaLogs({ port, dataDir: `${dir}/data`, logFile: `${dir}/vlogs.log` });
    let store: Component | undefined = await start();
    const url = `http://127.0.0.1:${port}`;
    const fwd = await runForwarder(forwarderEnv(kafka!, topics, ["logs", "opensearch"], {
      OBSTACK_LOKI_URL: url,
      OBSTACK_OPENSEARCH_URL: opensearch!,
      OBSTACK_OPENSEARCH_INDEX_PREFIX: PREFIX,
      OBSTACK_TENANTS_FILE: tenants.path,
    }));
    try {
      await produce([kafka!], topics.logs, logEnvelopes("tenant-a", service, 10, 5, 0));
      await waitFor(
        "first 50",
        async () => (await vlogsCounts(url, 1, service)).total === 50 ? true : undefined,
      );

      await store.stop();
      store = undefined;
      await produce([kafka!], topics.logs, logEnvelopes("tenant-a", service, 20, 5, 10));
      // OpenSearch keeps taking the records while the log store is down…
      await waitFor(
        "OpenSearch has all 150",
        async () =>
          await opensearchCount(opensearch!, `${PREFIX}-tenant-a-*`, service) === 150
            ? true
            : undefined,
      );
      // …and the forwarder keeps retrying the log store without giving up.
      await new Promise((r) => setTimeout(r, 3000));
      const retries = fwd.svc.handler(new Request("http://x/metrics"));
      assert.match(
        await retries.text(),
        /obstack_forwarder_sink_retries_total\{sink="logs"\} [1-9]/,
      );

      store = await start();
      const got = await waitFor("all 150 in the restarted store", async () => {
        const c = await vlogsCounts(url, 1, service);
        return c.total >= 150 ? c : undefined;
      }, 60_000);
      assert.deepEqual(got, { total: 150, distinct: 150 });
      await new Promise((r) => setTimeout(r, 1000));
      assert.equal(await opensearchCount(opensearch!, `${PREFIX}-tenant-a-*`, service), 150);
      assert.equal(
        (await readTopic([kafka!], topics.dlq, { timeoutMs: 2000 })).length,
        0,
        "nothing dead-lettered",
      );
    } finally {
      await fwd.stop();
      await store?.stop();
      await tenants.cleanup();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});

Deno.test({
  ...opts,
  ignore: !kafka || !opensearch,
  name:
    "forwarder loses nothing while OpenSearch is down and writes no duplicate documents after it returns",
  async fn() {
    const topics = await makeTopics([kafka!], "fwdosdown");
    const service = `svc-${randomHex(4)}`;
    const dir = await Deno.makeTempDir({ prefix: "fwd-os-" });
    await Deno.chmod(dir, 0o755); // OpenSearch runs as its own user and must reach its folder
    const [port, transportPort] = freePorts(2) as [number, number];
    const start = () =>
      startOpenSearch({
        port,
        transportPort,
        dataDir: `${dir}/os`,
        logFile: `${dir}/os.log`,
        timeoutMs: 240_000,
      });
    let store: Component | undefined = await start();
    const url = `http://127.0.0.1:${port}`;
    const fwd = await runForwarder(forwarderEnv(kafka!, topics, ["opensearch"], {
      OBSTACK_OPENSEARCH_URL: url,
      OBSTACK_OPENSEARCH_INDEX_PREFIX: PREFIX,
    }));
    try {
      await produce([kafka!], topics.logs, logEnvelopes("tenant-a", service, 10, 10, 0));
      await waitFor(
        "first 100",
        async () =>
          await opensearchCount(url, `${PREFIX}-tenant-a-*`, service) === 100 ? true : undefined,
        60_000,
      );
      await store.stop();
      store = undefined;
      await produce([kafka!], topics.logs, logEnvelopes("tenant-a", service, 30, 10, 10));
      await new Promise((r) => setTimeout(r, 3000));
      store = await start();
      await waitFor(
        "all 400 after the restart",
        async () =>
          await opensearchCount(url, `${PREFIX}-tenant-a-*`, service) >= 400 ? true : undefined,
        120_000,
      );
      await new Promise((r) => setTimeout(r, 2000));
      assert.equal(await opensearchCount(url, `${PREFIX}-tenant-a-*`, service), 400);
      assert.equal(
        (await readTopic([kafka!], topics.dlq, { timeoutMs: 2000 })).length,
        0,
        "nothing dead-lettered",
      );
    } finally {
      await fwd.stop();
      await store?.stop();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});

Deno.test({
  ...opts,
  ignore: !kafka || !opensearch || !vlogs,
  name:
    "forwarder killed with SIGKILL mid-stream and restarted: nothing lost, no duplicate OpenSearch documents",
  async fn() {
    const tenants = await writeTestTenants([{ id: "tenant-a", numericId: 1 }, {
      id: "tenant-b",
      numericId: 2,
    }]);
    const topics = await makeTopics([kafka!], "fwdkill");
    const service = `svc-${randomHex(4)}`;
    const dir = await Deno.makeTempDir({ prefix: "fwd-kill-" });
    const env = forwarderEnv(kafka!, topics, ["logs", "opensearch"], {
      OBSTACK_LOKI_URL: vlogs!,
      OBSTACK_OPENSEARCH_URL: opensearch!,
      OBSTACK_OPENSEARCH_INDEX_PREFIX: PREFIX,
      OBSTACK_TENANTS_FILE: tenants.path,
      // Small batches so the kill lands between many commits.
      OBSTACK_FORWARDER_FETCH_MAX_RECORDS: "10",
      OBSTACK_FORWARDER_BATCH_MAX_RECORDS: "10",
      OBSTACK_FORWARDER_BATCH_LINGER: "0",
    });
    const RECORDS = 300; // per tenant, 10 lines each: 6000 lines in all
    const producing = (async () => {
      for (let i = 0; i < RECORDS; i += 20) {
        await produce([kafka!], topics.logs, [
          ...logEnvelopes("tenant-a", service, 20, 10, i),
          ...logEnvelopes("tenant-b", service, 20, 10, i),
        ]);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    let fwd = await spawnForwarder(env, freePort(), `${dir}/forwarder.log`);
    try {
      const count = async () =>
        await opensearchCount(opensearch!, `${PREFIX}-tenant-a-*`, service) +
        await opensearchCount(opensearch!, `${PREFIX}-tenant-b-*`, service);
      await waitFor(
        "a part of the stream",
        async () => (await count()) >= 1500 ? true : undefined,
        60_000,
      );
      fwd.kill("SIGKILL");
      const status = await fwd.status;
      assert.equal(status.signal, "SIGKILL");
      const atKill = await count();
      assert.ok(atKill < 6000, `the kill must land mid-stream (had ${atKill})`);

      fwd = await spawnForwarder(env, freePort(), `${dir}/forwarder.log`);
      await producing;
      await waitFor(
        "all 6000 documents",
        async () => (await count()) >= 6000 ? true : undefined,
        120_000,
      );
      await new Promise((r) => setTimeout(r, 2000)); // anything extra would show up now
      assert.equal(await opensearchCount(opensearch!, `${PREFIX}-tenant-a-*`, service), 3000);
      assert.equal(await opensearchCount(opensearch!, `${PREFIX}-tenant-b-*`, service), 3000);
      // VictoriaLogs does not de-duplicate: at-least-once may repeat lines, but none is missing.
      const a = await waitFor("tenant-a lines", async () => {
        const c = await vlogsCounts(vlogs!, 1, service);
        return c.distinct >= 3000 ? c : undefined;
      }, 60_000);
      const b = await vlogsCounts(vlogs!, 2, service);
      assert.equal(a.distinct, 3000);
      assert.equal(b.distinct, 3000);
      assert.deepEqual(
        await vlogsQuery(vlogs!, 2, `service_name:="${service}" tenant_id:="tenant-a" | limit 1`),
        [],
      );
      assert.equal(
        (await readTopic([kafka!], topics.dlq, { timeoutMs: 2000 })).length,
        0,
        "nothing dead-lettered",
      );
    } finally {
      fwd.kill("SIGTERM");
      await fwd.status;
      await producing.catch(() => {});
      await tenants.cleanup();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});

Deno.test({
  ...opts,
  ignore: !kafka || !vlogs,
  name:
    "forwarder stopped with SIGTERM commits what it delivered and exits 0; its successor repeats nothing",
  async fn() {
    const tenants = await writeTestTenants([{ id: "tenant-a", numericId: 1 }]);
    const topics = await makeTopics([kafka!], "fwdterm");
    const service = `svc-${randomHex(4)}`;
    const dir = await Deno.makeTempDir({ prefix: "fwd-term-" });
    const env = forwarderEnv(kafka!, topics, ["logs"], {
      OBSTACK_LOKI_URL: vlogs!,
      OBSTACK_TENANTS_FILE: tenants.path,
    });
    let fwd = await spawnForwarder(env, freePort(), `${dir}/forwarder.log`);
    try {
      await produce([kafka!], topics.logs, logEnvelopes("tenant-a", service, 50, 10, 0));
      await waitFor(
        "first 500",
        async () => (await vlogsCounts(vlogs!, 1, service)).total >= 500 ? true : undefined,
      );
      fwd.kill("SIGTERM");
      const status = await fwd.status;
      assert.equal(status.code, 0);
      await produce([kafka!], topics.logs, logEnvelopes("tenant-a", service, 50, 10, 50));
      fwd = await spawnForwarder(env, freePort(), `${dir}/forwarder.log`);
      await waitFor(
        "all 1000",
        async () => (await vlogsCounts(vlogs!, 1, service)).distinct >= 1000 ? true : undefined,
        60_000,
      );
      await new Promise((r) => setTimeout(r, 1500));
      // VictoriaLogs keeps duplicates, so a single redelivered record would show here.
      assert.deepEqual(await vlogsCounts(vlogs!, 1, service), { total: 1000, distinct: 1000 });
    } finally {
      fwd.kill("SIGTERM");
      await fwd.status;
      await tenants.cleanup();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
