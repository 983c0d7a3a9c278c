/**
 * Forwarder → log stores, against the test bed's real servers: VictoriaLogs (standing in for
 * Loki: same push API, numeric tenant as AccountID) and OpenSearch. Every record is read back
 * through the store's own query API (LogsQL, `_search`) and compared field by field, per
 * tenant; the other tenant's account/index sees none of it.
 */
import assert from "node:assert/strict";
import { readTenantsFile, writeTenantsFile } from "../../lib/tenant/mod.ts";
import { readTopic } from "../../lib/kafka/mod.ts";
import { writeTestTenants } from "../_helpers/tenants.ts";
import {
  forwarderEnv,
  logsPayload,
  makeTopics,
  opensearchSearch,
  produce,
  randomHex,
  runForwarder,
  vlogsQuery,
  waitFor,
} from "../../forwarder/_test_helpers.ts";
import { publishReplay, readDeadLetters, replayRecords } from "../../tasks/dlq.ts";

const kafka = Deno.env.get("OBSTACK_TEST_KAFKA");
const vlogs = Deno.env.get("OBSTACK_TEST_VLOGS");
const opensearch = Deno.env.get("OBSTACK_TEST_OPENSEARCH");
const base = {
  ignore: !kafka || !vlogs || !opensearch,
  sanitizeOps: false,
  sanitizeResources: false,
};
const PREFIX = "fwdit";

Deno.test({
  ...base,
  name:
    "forwarder writes each tenant's logs to VictoriaLogs (AccountID) and OpenSearch (own index), field by field",
  async fn() {
    const tenants = await writeTestTenants([{ id: "tenant-a", numericId: 1 }, {
      id: "tenant-b",
      numericId: 2,
    }]);
    const topics = await makeTopics([kafka!], "fwdlogs");
    const service = `svc-${randomHex(4)}`;
    const traceId = randomHex(16);
    const fwd = await runForwarder(forwarderEnv(kafka!, topics, ["logs", "opensearch"], {
      OBSTACK_LOGS_BACKEND: "victorialogs",
      OBSTACK_LOKI_URL: vlogs!,
      OBSTACK_OPENSEARCH_URL: opensearch!,
      OBSTACK_OPENSEARCH_INDEX_PREFIX: PREFIX,
      OBSTACK_TENANTS_FILE: tenants.path,
    }));
    try {
      // A whole second a minute ago (stores refuse timestamps far in the future).
      const t0 = BigInt(Math.floor(Date.now() / 1000) - 60) * 1_000_000_000n;
      await produce([kafka!], topics.logs, [
        {
          tenant: "tenant-a",
          format: "otlp-logs",
          value: logsPayload("tenant-a", {
            service,
            bodies: ["a-first", "a-second"],
            startNs: t0,
            severityNumber: 17,
            attributes: { "order.id": "o-42" },
            traceId,
          }),
        },
        {
          tenant: "tenant-b",
          format: "otlp-logs",
          value: logsPayload("tenant-b", {
            service,
            bodies: ["b-only"],
            startNs: t0,
            severityNumber: 9,
          }),
        },
      ]);

      // VictoriaLogs, through LogsQL, per AccountID.
      const a = await waitFor("tenant-a logs in VictoriaLogs", async () => {
        const r = await vlogsQuery(vlogs!, 1, `service_name:="${service}" | sort by (_time)`);
        return r.length >= 2 ? r : undefined;
      });
      assert.deepEqual(a.map((e) => e._msg), ["a-first", "a-second"]);
      for (const e of a) {
        assert.equal(e.tenant_id, "tenant-a");
        assert.equal(e.service_name, service);
        assert.equal(e.level, "error");
        assert.equal(e.order_id, "o-42");
        assert.equal(e.trace_id, traceId);
        assert.equal(e.scope_name, "obstack.test");
        assert.equal(e._stream, `{level="error",service_name="${service}",tenant_id="tenant-a"}`);
      }
      assert.equal(new Date(a[0]!._time!).getTime(), Number(t0 / 1_000_000n));
      const b = await waitFor("tenant-b logs in VictoriaLogs", async () => {
        const r = await vlogsQuery(vlogs!, 2, `service_name:="${service}"`);
        return r.length >= 1 ? r : undefined;
      });
      assert.deepEqual(b.map((e) => [e._msg, e.tenant_id, e.level]), [[
        "b-only",
        "tenant-b",
        "info",
      ]]);
      // Tenant B's account holds none of tenant A's lines, and no other account got them.
      assert.deepEqual(
        await vlogsQuery(vlogs!, 2, `"a-first" OR "a-second"`).then((r) =>
          r.filter((e) => e.service_name === service)
        ),
        [],
      );
      assert.deepEqual(await vlogsQuery(vlogs!, 0, `service_name:="${service}"`), []);

      // OpenSearch, through _search, per tenant index.
      const docs = await waitFor("tenant-a docs in OpenSearch", async () => {
        const r = await opensearchSearch(opensearch!, `${PREFIX}-tenant-a-*`, {
          term: { "service.name": service },
        });
        return r.length >= 2 ? r : undefined;
      });
      docs.sort((x, y) =>
        String(x._source["@timestamp"]).localeCompare(String(y._source["@timestamp"]))
      );
      assert.deepEqual(docs.map((d) => d._source.body), ["a-first", "a-second"]);
      const day = new Date(Number(t0 / 1_000_000n)).toISOString().slice(0, 10).replaceAll("-", ".");
      const d0 = docs[0]!;
      assert.equal(d0._index, `${PREFIX}-tenant-a-${day}`);
      // Deterministic id: <topic>-<partition>-<offset>-<position in the payload>.
      assert.ok(d0._id.startsWith(`${topics.logs}-`) && /-\d+-\d+-0$/.test(d0._id), d0._id);
      assert.equal(d0._source.tenant_id, "tenant-a");
      assert.equal(d0._source.level, "error");
      assert.equal(d0._source.trace_id, traceId);
      assert.deepEqual(d0._source.attributes, { "order.id": "o-42" });
      assert.deepEqual(d0._source.service, { name: service });
      // t0 is a whole second; the timestamp keeps nanosecond precision.
      assert.equal(
        d0._source["@timestamp"],
        new Date(Number(t0 / 1_000_000n)).toISOString().replace(".000Z", ".000000000Z"),
      );
      // Full-text search on the body works through the template's mapping.
      assert.equal(
        (await opensearchSearch(opensearch!, `${PREFIX}-tenant-a-*`, { match: { body: "second" } }))
          .filter((h) =>
            h._source.service && (h._source.service as { name: string }).name === service
          ).length,
        1,
      );
      const bDocs = await waitFor("tenant-b docs", async () => {
        const r = await opensearchSearch(opensearch!, `${PREFIX}-tenant-b-*`, {
          term: { "service.name": service },
        });
        return r.length >= 1 ? r : undefined;
      });
      assert.deepEqual(bDocs.map((d) => d._source.body), ["b-only"]);
      assert.deepEqual(
        await opensearchSearch(opensearch!, `${PREFIX}-tenant-b-*`, { match: { body: "a-first" } }),
        [],
      );
    } finally {
      await fwd.stop();
      await tenants.cleanup();
    }
  },
});

Deno.test({
  ...base,
  name:
    "forwarder dead-letters logs of a tenant without numeric id for VictoriaLogs only; dlq replay then delivers them once",
  async fn() {
    const tenants = await writeTestTenants([{ id: "tenant-a", numericId: 1 }]);
    const topics = await makeTopics([kafka!], "fwdreplay");
    const service = `svc-${randomHex(4)}`;
    const fwd = await runForwarder(forwarderEnv(kafka!, topics, ["logs", "opensearch"], {
      OBSTACK_LOKI_URL: vlogs!,
      OBSTACK_OPENSEARCH_URL: opensearch!,
      OBSTACK_OPENSEARCH_INDEX_PREFIX: PREFIX,
      OBSTACK_TENANTS_FILE: tenants.path,
    }));
    try {
      await produce([kafka!], topics.logs, [
        {
          tenant: "tenant-c",
          format: "otlp-logs",
          value: logsPayload("tenant-c", { service, bodies: ["c1", "c2"] }),
        },
        {
          tenant: "tenant-a",
          format: "otlp-logs",
          value: logsPayload("tenant-a", { service, bodies: ["a1"] }),
        },
      ]);
      const dlq = await readTopic([kafka!], topics.dlq, { timeoutMs: 30_000, expect: 1 });
      assert.equal(dlq.length, 1);
      const h = dlq[0]!.headers;
      assert.equal(h["obstack-dlq-sink"], "logs");
      assert.equal(h["obstack-tenant"], "tenant-c");
      assert.equal(h["obstack-dlq-topic"], topics.logs);
      assert.match(h["obstack-dlq-reason"] ?? "", /no numeric id/);
      // OpenSearch took tenant-c's logs; tenant-a's logs went everywhere.
      await waitFor("tenant-c docs", async () => {
        const r = await opensearchSearch(opensearch!, `${PREFIX}-tenant-c-*`, {
          term: { "service.name": service },
        });
        return r.length === 2 ? r : undefined;
      });
      await waitFor(
        "tenant-a logs",
        async () =>
          (await vlogsQuery(vlogs!, 1, `service_name:="${service}"`)).length === 1
            ? true
            : undefined,
      );

      // The operator adds the tenant's numeric id, then replays the dead letters.
      const file = await readTenantsFile(tenants.path);
      file.tenants.push({
        ...file.tenants[0]!,
        id: "tenant-c",
        numericId: 3,
        name: "tenant-c",
        tokens: [],
      });
      await writeTenantsFile(tenants.path, file);
      await new Promise((r) => setTimeout(r, 2500)); // the registry polls the file every 2 s
      const { out } = replayRecords(await readDeadLetters([kafka!], topics.dlq), {});
      assert.equal(out.length, 1);
      await publishReplay([kafka!], out);

      const c = await waitFor("tenant-c logs in VictoriaLogs after replay", async () => {
        const r = await vlogsQuery(vlogs!, 3, `service_name:="${service}"`);
        return r.length >= 2 ? r : undefined;
      });
      assert.deepEqual(c.map((e) => e._msg).sort(), ["c1", "c2"]);
      // The replay went to the logs sink only and kept its ids: still exactly two documents.
      await new Promise((r) => setTimeout(r, 1500));
      const docs = await opensearchSearch(opensearch!, `${PREFIX}-tenant-c-*`, {
        term: { "service.name": service },
      });
      assert.equal(docs.length, 2);
      assert.equal(
        (await readTopic([kafka!], topics.dlq, { timeoutMs: 3000 })).length,
        1,
        "nothing new dead-lettered",
      );
    } finally {
      await fwd.stop();
      await tenants.cleanup();
    }
  },
});

Deno.test({
  ...base,
  name:
    "forwarder truncates log lines over the store's limit with a marker instead of dropping them",
  async fn() {
    const tenants = await writeTestTenants([{ id: "tenant-a", numericId: 1 }]);
    const topics = await makeTopics([kafka!], "fwdtrunc");
    const service = `svc-${randomHex(4)}`;
    const fwd = await runForwarder(forwarderEnv(kafka!, topics, ["logs"], {
      OBSTACK_LOKI_URL: vlogs!,
      OBSTACK_LOKI_MAX_LINE_BYTES: "1KiB",
      OBSTACK_TENANTS_FILE: tenants.path,
    }));
    try {
      await produce([kafka!], topics.logs, [{
        tenant: "tenant-a",
        format: "otlp-logs",
        value: logsPayload("tenant-a", { service, bodies: ["x".repeat(5000)] }),
      }]);
      const r = await waitFor("truncated line", async () => {
        const e = await vlogsQuery(vlogs!, 1, `service_name:="${service}"`);
        return e.length ? e : undefined;
      });
      assert.ok(new TextEncoder().encode(r[0]!._msg).length <= 1024);
      assert.match(r[0]!._msg!, /^x+…\[truncated \d+ bytes\]$/);
    } finally {
      await fwd.stop();
      await tenants.cleanup();
    }
  },
});
