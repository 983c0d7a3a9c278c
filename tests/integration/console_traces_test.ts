/**
 * The console's Traces API against the real trace store of these machines, Jaeger v2 (a stand-in
 * for Tempo: spans go in by OTLP/gRPC with `X-Scope-OrgID`, reads use Jaeger's query API). One
 * trace per tenant is exported directly under each tenant; A must see only its own.
 */
import assert from "node:assert/strict";
import {
  eventually,
  exportTraces,
  startTestConsole,
  TEST_STORES,
} from "../../console/_test_bed.ts";

const query = TEST_STORES.jaegerQuery;
const grpcAddr = TEST_STORES.jaegerGrpc;

function hex(bytes: number): string {
  return Array.from(
    crypto.getRandomValues(new Uint8Array(bytes)),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
}

Deno.test({
  name:
    "console traces API: list, lookup and waterfall data of A's trace; B's trace is invisible to A",
  ignore: !query || !grpcAddr,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const c = await startTestConsole();
    try {
      const { a, b } = c.tenants;
      const now = Date.now();
      const traceA = hex(16), traceB = hex(16);
      const root = hex(8), child = hex(8), grandchild = hex(8);
      const svcA = `checkout-${traceA.slice(0, 6)}`;
      await exportTraces(grpcAddr!, a.id, traceA, svcA, [
        {
          spanId: root,
          name: "POST /checkout",
          startMs: now - 5000,
          durationMs: 120,
          attributes: { "http.route": "/checkout" },
        },
        {
          spanId: child,
          parentSpanId: root,
          name: "charge card",
          startMs: now - 4990,
          durationMs: 80,
          error: true,
        },
        {
          spanId: grandchild,
          parentSpanId: child,
          name: "SELECT card",
          startMs: now - 4980,
          durationMs: 20,
        },
      ]);
      await exportTraces(grpcAddr!, b.id, traceB, `bank-${traceB.slice(0, 6)}`, [
        { spanId: hex(8), name: "GET /secret", startMs: now - 5000, durationMs: 50 },
      ]);
      const ca = await c.login(a);
      const cb = await c.login(b);
      const range = `start=${now - 600_000}&end=${now + 60_000}`;

      const list = await eventually("A's trace in the list", async () => {
        const r = await c.get(`/api/traces?service=${svcA}&${range}`, ca);
        const traces = r.body.traces as { traceId: string }[];
        return traces?.some((t) => t.traceId === traceA) ? traces : null;
      });
      const row = (list as {
        traceId: string;
        rootName: string;
        rootService: string;
        hasError: boolean;
        spanCount: number;
        durationMs: number;
      }[])
        .find((t) => t.traceId === traceA)!;
      assert.equal(row.rootName, "POST /checkout");
      assert.equal(row.rootService, svcA);
      assert.equal(row.hasError, true);
      assert.equal(row.spanCount, 3);
      assert.ok(Math.abs(row.durationMs - 120) < 1, String(row.durationMs));

      // The all-services list has A's trace and not B's.
      const all = await c.get(`/api/traces?${range}&limit=200`, ca);
      const ids = (all.body.traces as { traceId: string }[]).map((t) => t.traceId);
      assert.ok(ids.includes(traceA));
      assert.ok(!ids.includes(traceB));
      const svcs = await c.get(`/api/traces/services?${range}`, ca);
      assert.ok((svcs.body.services as string[]).includes(svcA));
      assert.ok(!(svcs.body.services as string[]).some((s) => s.startsWith("bank-")));

      // Lookup: spans with parents, services, status and attributes.
      const one = await c.get(`/api/traces/${traceA}`, ca);
      assert.equal(one.status, 200);
      const spans = (one.body.trace as {
        spans: {
          spanId: string;
          parentSpanId?: string;
          name: string;
          status: string;
          attributes: Record<string, string>;
          service: string;
        }[];
      }).spans;
      assert.deepEqual(spans.map((s) => [s.name, s.parentSpanId ?? null, s.status]), [
        ["POST /checkout", null, "ok"],
        ["charge card", root, "error"],
        ["SELECT card", child, "ok"],
      ]);
      assert.equal(spans[0]!.attributes["http.route"], "/checkout");
      assert.equal(spans[0]!.service, svcA);

      // B's trace: found by B, 404 for A whatever A sends.
      const forB = await eventually("B's trace", async () => {
        const r = await c.get(`/api/traces/${traceB}`, cb);
        return r.status === 200 ? r : null;
      });
      assert.equal(forB.status, 200);
      const attempts: Record<string, string>[] = [
        {},
        { "X-Scope-OrgID": "tenant-b" },
        { "x-scope-orgid": "tenant-a|tenant-b" },
      ];
      for (const headers of attempts) {
        const r = await c.get(`/api/traces/${traceB}?tenant=tenant-b`, ca, headers);
        assert.equal(r.status, 404, JSON.stringify(r.body));
      }
      const bySvc = await c.get(`/api/traces?service=bank-${traceB.slice(0, 6)}&${range}`, ca);
      assert.deepEqual(bySvc.body.traces, []);
      // Malformed ids are refused before reaching the store.
      assert.equal(
        (await c.get(`/api/traces/${encodeURIComponent("../services")}`, ca)).status,
        400,
      );
    } finally {
      await c.cleanup();
    }
  },
});
