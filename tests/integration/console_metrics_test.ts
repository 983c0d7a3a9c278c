/**
 * The console's Metrics API against the real Prometheus. Series of tenant A and tenant B are
 * written by remote write with their `tenant_id` label (as the forwarder does); every query A
 * sends — including the hostile table's — either returns only A's series or is refused with 400.
 */
import assert from "node:assert/strict";
import {
  eventually,
  remoteWrite,
  runMarker,
  startTestConsole,
  TEST_STORES,
} from "../../console/_test_bed.ts";

const url = TEST_STORES.prometheus;

type Series = {
  metric: Record<string, string>;
  values?: [number, string][];
  value?: [number, string];
};

Deno.test({
  name:
    "console metrics API: queries see only the session tenant's series, hostile ones are refused",
  ignore: !url,
  sanitizeResources: false,
  fn: async () => {
    const c = await startTestConsole();
    try {
      const { a, b } = c.tenants;
      const m = runMarker("consoleit_");
      const now = Date.now();
      const samples = (v: number): [number, number][] =>
        Array.from({ length: 10 }, (_, i) => [now - (10 - i) * 15_000, v + i]);
      await remoteWrite(url!, [
        {
          labels: { __name__: `${m}_requests_total`, tenant_id: a.id, job: "shop" },
          samples: samples(100),
        },
        {
          labels: { __name__: `${m}_requests_total`, tenant_id: b.id, job: "bank" },
          samples: samples(900),
        },
        { labels: { __name__: `${m}_b_only`, tenant_id: b.id, job: "bank" }, samples: samples(1) },
      ]);
      const ca = await c.login(a);
      const range = `start=${now - 600_000}&end=${now}`;
      const q = (expr: string, extra = "") =>
        c.get(`/api/metrics/query_range?query=${encodeURIComponent(expr)}&${range}${extra}`, ca, {
          "X-Scope-OrgID": "tenant-b",
        });

      const own = await eventually("A's series", async () => {
        const r = await q(`${m}_requests_total`);
        const res = r.body.result as Series[];
        return r.status === 200 && res?.length ? res : null;
      });
      assert.equal(own.length, 1);
      assert.equal(own[0]!.metric.tenant_id, a.id);
      assert.equal(own[0]!.metric.job, "shop");

      // Queries that are rewritten: results may only carry A's data.
      const scoped = [
        `{__name__=~"${m}.*"}`,
        `{__name__=~".+", job=~"shop|bank"}`,
        `sum by (job) (${m}_requests_total)`,
        `${m}_requests_total or on() vector(1)`,
        `${m}_requests_total unless on() ${m}_b_only`,
        `max_over_time(${m}_requests_total[5m:30s])`,
        `${m}_requests_total offset 1m`,
        `${m}_requests_total @ end()`,
        `label_replace(${m}_requests_total, "t", "$1", "tenant_id", "(.*)")`,
        `count({__name__=~"${m}.*"})`,
      ];
      for (const expr of scoped) {
        const r = await q(expr);
        assert.equal(r.status, 200, `${expr}: ${JSON.stringify(r.body)}`);
        for (const s of r.body.result as Series[]) {
          assert.notEqual(s.metric.tenant_id, b.id, `${expr} returned B's series`);
          assert.notEqual(s.metric.job, "bank", `${expr} returned B's series`);
          assert.notEqual(s.metric.t, b.id, `${expr} returned B's tenant`);
          for (const [, v] of s.values ?? []) {
            assert.ok(Number(v) < 900, `${expr} returned B's values`);
          }
        }
      }
      // count() over A's only: exactly 1 series of A matches the marker.
      const cnt = await q(`count({__name__=~"${m}.*"})`);
      const cv = (cnt.body.result as Series[])[0]!.values!;
      assert.equal(cv[cv.length - 1]![1], "1");
      // absent() says A has no `_b_only` series, although B has one: no existence leak.
      const abs = await q(`absent(${m}_b_only)`);
      assert.equal((abs.body.result as Series[]).length, 1);

      // Queries that are refused with a reason.
      for (
        const expr of [
          `${m}_requests_total{tenant_id="tenant-b"}`,
          `${m}_requests_total{tenant_id!="tenant-a"}`,
          `{tenant_id=~".+"}`,
          `label_replace(vector(1), "tenant_id", "tenant-b", "", "")`,
          `count_values("tenant_id", ${m}_requests_total)`,
          `info(${m}_requests_total)`,
        ]
      ) {
        const r = await q(expr);
        assert.equal(r.status, 400, `${expr} was not refused: ${JSON.stringify(r.body)}`);
        assert.match(String(r.body.error), /query refused/);
      }

      // Autocomplete lists A's metric names only.
      const names = await c.get(`/api/metrics/names?prefix=${m}&${range}`, ca);
      assert.deepEqual(names.body.names, [`${m}_requests_total`]);

      // Instant query too.
      const inst = await c.get(
        `/api/metrics/query?query=${encodeURIComponent(`{__name__=~"${m}.*"}`)}&time=${now}`,
        ca,
      );
      assert.equal(inst.status, 200, JSON.stringify(inst.body));
      assert.ok((inst.body.result as Series[]).every((s) => s.metric.tenant_id === a.id));
    } finally {
      await c.cleanup();
    }
  },
});
