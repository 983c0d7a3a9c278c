/**
 * Forwarder → trace store over OTLP/gRPC, against the test bed's Jaeger v2 (standing in for
 * Tempo): spans go to its `remote_storage` endpoint with `x-scope-orgid`, and each trace is read
 * back by id through Jaeger's query API as its tenant; the other tenant gets 404. A tenant the
 * store does not know is refused (PermissionDenied) and dead-lettered without blocking others.
 */
import assert from "node:assert/strict";
import { readTopic } from "../../lib/kafka/mod.ts";
import {
  forwarderEnv,
  jaegerTrace,
  makeTopics,
  produce,
  randomHex,
  runForwarder,
  tracesPayload,
  waitFor,
} from "../../forwarder/_test_helpers.ts";

const kafka = Deno.env.get("OBSTACK_TEST_KAFKA");
const jaegerGrpc = Deno.env.get("OBSTACK_TEST_JAEGER_GRPC");
const jaegerQuery = Deno.env.get("OBSTACK_TEST_JAEGER_QUERY");
const base = {
  ignore: !kafka || !jaegerGrpc || !jaegerQuery,
  sanitizeOps: false,
  sanitizeResources: false,
};

Deno.test({
  ...base,
  name:
    "forwarder writes each tenant's traces to Jaeger over OTLP/gRPC; only that tenant can read them",
  async fn() {
    const topics = await makeTopics([kafka!], "fwdtraces");
    const service = `svc-${randomHex(4)}`;
    const traceA = randomHex(16);
    const traceB = randomHex(16);
    const traceZ = randomHex(16);
    const fwd = await runForwarder(forwarderEnv(kafka!, topics, ["traces"], {
      OBSTACK_TRACES_BACKEND: "jaeger",
      OBSTACK_TRACES_PROTOCOL: "grpc",
      OBSTACK_TRACES_ENDPOINT: jaegerGrpc!,
    }));
    try {
      await produce([kafka!], topics.traces, [
        {
          tenant: "tenant-a",
          format: "otlp-traces",
          value: tracesPayload("tenant-a", {
            service,
            traceId: traceA,
            spans: 3,
            name: "checkout",
          }),
        },
        // A tenant Jaeger's tenant list does not have: refused for good, dead-lettered.
        {
          tenant: "tenant-z",
          format: "otlp-traces",
          value: tracesPayload("tenant-z", { service, traceId: traceZ, spans: 1 }),
        },
        {
          tenant: "tenant-b",
          format: "otlp-traces",
          value: tracesPayload("tenant-b", { service, traceId: traceB, spans: 2, name: "billing" }),
        },
      ]);
      const a = await waitFor(
        "trace A as tenant-a",
        () => jaegerTrace(jaegerQuery!, "tenant-a", traceA),
      );
      assert.deepEqual(a.spans.map((s) => s.operationName).sort(), [
        "checkout-0",
        "checkout-1",
        "checkout-2",
      ]);
      const b = await waitFor(
        "trace B as tenant-b",
        () => jaegerTrace(jaegerQuery!, "tenant-b", traceB),
      );
      assert.deepEqual(b.spans.map((s) => s.operationName).sort(), ["billing-0", "billing-1"]);
      // Tenant isolation: each tenant's header sees only its own trace.
      assert.equal(await jaegerTrace(jaegerQuery!, "tenant-b", traceA), undefined);
      assert.equal(await jaegerTrace(jaegerQuery!, "tenant-a", traceB), undefined);

      const dlq = await readTopic([kafka!], topics.dlq, { timeoutMs: 30_000, expect: 1 });
      assert.equal(dlq.length, 1);
      assert.equal(dlq[0]!.headers["obstack-tenant"], "tenant-z");
      assert.equal(dlq[0]!.headers["obstack-dlq-sink"], "traces");
      assert.match(dlq[0]!.headers["obstack-dlq-reason"]!, /PERMISSION_DENIED/);
    } finally {
      await fwd.stop();
    }
  },
});
