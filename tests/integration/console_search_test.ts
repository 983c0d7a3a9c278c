/**
 * The console's Search API against the real OpenSearch. Documents of tenant A, tenant B and of
 * a tenant whose id extends A's (`tenant-a-eu`, whose indices a `logs-tenant-a-*` pattern would
 * match) are indexed directly; A must find only its own, whatever it sends.
 */
import assert from "node:assert/strict";
import {
  bulkIndex,
  dailyIndex,
  runMarker,
  startTestConsole,
  TEST_STORES,
} from "../../console/_test_bed.ts";

const url = TEST_STORES.opensearch;

/** Installs a template like the forwarder's for the test indices (keyword tenant and level). */
async function ensureTemplate(base: string): Promise<void> {
  const resp = await fetch(`${base}/_index_template/obstack-console-test`, {
    method: "PUT",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      index_patterns: ["logs-tenant-*"],
      priority: 10,
      template: {
        settings: { number_of_replicas: 0, number_of_shards: 1 },
        mappings: {
          properties: {
            "@timestamp": { type: "date_nanos" },
            tenant_id: { type: "keyword" },
            level: { type: "keyword" },
            body: { type: "text" },
            service: { properties: { name: { type: "keyword" } } },
          },
        },
      },
    }),
  });
  if (!resp.ok) throw new Error(`template: ${resp.status} ${await resp.text()}`);
}

Deno.test({
  name: "console search API: A finds its documents with highlights, filters and paging; never B's",
  ignore: !url,
  sanitizeResources: false,
  fn: async () => {
    await ensureTemplate(url!);
    const c = await startTestConsole();
    try {
      const { a, b } = c.tenants;
      const mark = runMarker("searchit");
      const now = Date.now();
      const doc = (tenant: string, i: number, level: string, service: string, text: string) => ({
        index: dailyIndex(tenant, now),
        doc: {
          "@timestamp": new Date(now - i * 1000).toISOString(),
          tenant_id: tenant,
          level,
          service: { name: service },
          body: `${mark} ${text}`,
        },
      });
      await bulkIndex(url!, [
        ...Array.from(
          { length: 25 },
          (_, i) =>
            doc(
              a.id,
              i + 1,
              i % 5 === 0 ? "error" : "info",
              i % 2 ? "cart" : "checkout",
              `order ${i} processed for alpha`,
            ),
        ),
        doc(a.id, 0, "error", "checkout", "payment gateway timeout alpha"),
        doc(b.id, 0, "error", "checkout", "payment gateway timeout bravo secret"),
        doc("tenant-a-eu", 0, "error", "checkout", "payment gateway timeout eu secret"),
        // A document in A's index that claims another tenant: the tenant_id filter drops it.
        {
          ...doc(a.id, 0, "error", "checkout", "payment gateway timeout forged"),
          doc: {
            ...doc(a.id, 0, "error", "checkout", "payment gateway timeout forged").doc,
            tenant_id: b.id,
          },
        },
      ]);
      const ca = await c.login(a);
      const cb = await c.login(b);
      const range = `start=${now - 3600_000}&end=${now + 60_000}`;

      const r = await c.get(`/api/search?q=${encodeURIComponent(`${mark} timeout`)}&${range}`, ca);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const hits = r.body.hits as {
        index: string;
        fields: Record<string, string>;
        highlights: Record<string, string[]>;
      }[];
      assert.deepEqual(hits.map((h) => h.fields.body), [`${mark} payment gateway timeout alpha`]);
      assert.equal(hits[0]!.index, dailyIndex(a.id, now));
      const hl = hits[0]!.highlights.body?.join(" ") ?? "";
      assert.ok(
        hl.includes("\ue000timeout\ue001"),
        `highlight: ${JSON.stringify(hits[0]!.highlights)}`,
      );

      // Field filter and paging: 25 "processed" docs, newest first, 10 per page.
      const p1 = await c.get(`/api/search?q=${mark}+processed&size=10&from=0&${range}`, ca);
      assert.equal(p1.body.total, 25);
      const p3 = await c.get(`/api/search?q=${mark}+processed&size=10&from=20&${range}`, ca);
      assert.equal((p3.body.hits as unknown[]).length, 5);
      const first = (p1.body.hits as { fields: Record<string, string> }[])[0]!.fields.body;
      assert.equal(first, `${mark} order 0 processed for alpha`);
      const errs = await c.get(`/api/search?q=${mark}+processed&filter=level:error&${range}`, ca);
      assert.equal(errs.body.total, 5);
      const cart = await c.get(
        `/api/search?q=${mark}&filter=service.name:cart&filter=level:info&${range}`,
        ca,
      );
      assert.equal(cart.body.total, 10); // odd i are cart (12), minus i = 5 and 15 (errors)

      // Time range: a window before the documents finds nothing.
      const old = await c.get(
        `/api/search?q=${mark}&start=${now - 7200_000}&end=${now - 3600_000}`,
        ca,
      );
      assert.equal(old.body.total, 0);

      // B sees its own and none of A's.
      const rb = await c.get(`/api/search?q=${mark}+timeout&${range}`, cb);
      assert.deepEqual(
        (rb.body.hits as { fields: Record<string, string> }[]).map((h) => h.fields.body),
        [
          `${mark} payment gateway timeout bravo secret`,
        ],
      );

      // Hostile requests by A: index names, wildcards, tenant fields, headers.
      const hostile = [
        `/api/search?q=${mark}&index=logs-tenant-b-*`,
        `/api/search?q=${encodeURIComponent(`${mark} _index:logs-tenant-b*`)}`,
        `/api/search?q=${encodeURIComponent(`${mark} tenant_id:tenant-b`)}`,
        `/api/search?q=${mark}&filter=tenant_id:tenant-b`,
        `/api/search?q=${mark}&filter=_index:logs-tenant-a-eu-*`,
        `/api/search?q=${encodeURIComponent(`${mark} | secret`)}`,
        `/api/search?q=secret&tenant=tenant-b`,
      ];
      for (const p of hostile) {
        const res = await c.get(`${p}&${range}`, ca, { "X-Scope-OrgID": "tenant-b" });
        if (res.status !== 200) {
          assert.equal(res.status, 400, `${p}: ${JSON.stringify(res.body)}`);
          continue;
        }
        const bodies = (res.body.hits as { fields: Record<string, string> }[]).map((h) =>
          h.fields.body
        );
        assert.ok(!bodies.some((x) => /secret|forged/.test(x ?? "")), `${p} leaked: ${bodies}`);
      }
    } finally {
      await c.cleanup();
    }
  },
});
