/**
 * The console's Logs API against the real log store of these machines, VictoriaLogs (a stand-in
 * for Loki: it speaks the Loki push API on the write side; reads are LogsQL). Tenant A's and
 * tenant B's lines are pushed directly under their numeric AccountIDs; A must see only A's,
 * whatever it sends.
 */
import assert from "node:assert/strict";
import {
  eventually,
  pushVictoriaLogs,
  runMarker,
  startTestConsole,
  TEST_STORES,
} from "../../console/_test_bed.ts";

const url = TEST_STORES.vlogs;

Deno.test({
  name: "console logs API: tenant A sees its own lines, newest first, and none of B's",
  ignore: !url,
  sanitizeResources: false,
  fn: async () => {
    const c = await startTestConsole();
    try {
      const { a, b } = c.tenants;
      const mark = runMarker("logsit");
      const now = Date.now();
      await pushVictoriaLogs(url!, a, [
        {
          service: "checkout",
          level: "error",
          line: `${mark} A payment timeout`,
          timeMs: now - 2000,
        },
        { service: "cart", level: "info", line: `${mark} A cart updated`, timeMs: now - 1000 },
      ]);
      await pushVictoriaLogs(url!, b, [
        { service: "checkout", level: "error", line: `${mark} B secret line`, timeMs: now - 1500 },
      ]);
      const ca = await c.login(a);
      const cb = await c.login(b);
      const start = String(now - 600_000), end = String(now + 60_000);

      const seen = await eventually("A's lines", async () => {
        const r = await c.get(`/api/logs?text=${mark}&start=${start}&end=${end}`, ca);
        const entries = r.body.entries as { line: string }[];
        return r.status === 200 && entries.length >= 2 ? entries : null;
      });
      assert.deepEqual(seen.map((e) => e.line), [
        `${mark} A cart updated`,
        `${mark} A payment timeout`,
      ]);

      // Level and service filters.
      const errs = await c.get(`/api/logs?text=${mark}&level=error&start=${start}&end=${end}`, ca);
      assert.deepEqual((errs.body.entries as { line: string }[]).map((e) => e.line), [
        `${mark} A payment timeout`,
      ]);
      const cart = await c.get(`/api/logs?text=${mark}&service=cart&start=${start}&end=${end}`, ca);
      assert.equal((cart.body.entries as unknown[]).length, 1);

      // B sees its own line (so B's data is really there) and none of A's.
      const bLines = await eventually("B's line", async () => {
        const r = await c.get(`/api/logs?text=${mark}&start=${start}&end=${end}`, cb);
        const entries = r.body.entries as { line: string }[];
        return entries.length ? entries : null;
      });
      assert.deepEqual(bLines.map((e) => e.line), [`${mark} B secret line`]);

      // Hostile attempts by A: tenant headers, parameters, expert queries naming B.
      const hostile: [string, Record<string, string>][] = [
        [`/api/logs?text=${mark}&tenant=tenant-b`, { "X-Scope-OrgID": "tenant-b", AccountID: "2" }],
        [`/api/logs?expert=${encodeURIComponent(`{tenant_id="tenant-b"} ${mark}`)}`, {}],
        [`/api/logs?expert=${encodeURIComponent(`${mark}`)}`, { AccountID: "2", ProjectID: "0" }],
        [`/api/logs?expert=${encodeURIComponent(`* | filter "${mark}"`)}`, {}],
        [
          `/api/logs?expert=${
            encodeURIComponent(`${mark} | union (${mark} tenant_id:="tenant-b")`)
          }`,
          {},
        ],
      ];
      for (const [p, headers] of hostile) {
        const r = await c.get(`${p}&start=${start}&end=${end}`, ca, headers);
        if (r.status !== 200) {
          assert.equal(r.status, 400, `${p}: ${JSON.stringify(r.body)}`);
          continue;
        }
        const lines = (r.body.entries as { line: string }[]).map((e) => e.line);
        assert.ok(!lines.some((l) => l.includes(" B ")), `${p} leaked B: ${lines}`);
      }

      // The expert box passes LogsQL through and still returns A's lines only.
      const expert = await c.get(
        `/api/logs?expert=${encodeURIComponent(mark)}&start=${start}&end=${end}`,
        ca,
        { AccountID: "2" },
      );
      assert.equal(expert.status, 200);
      assert.deepEqual((expert.body.entries as { line: string }[]).map((e) => e.line).sort(), [
        `${mark} A cart updated`,
        `${mark} A payment timeout`,
      ]);

      // Service/level lists are A's only.
      const svc = await c.get(`/api/logs/labels/service_name?start=${start}&end=${end}`, ca);
      assert.ok((svc.body.values as string[]).includes("cart"));
    } finally {
      await c.cleanup();
    }
  },
});

Deno.test({
  name: "console logs API: no session → 401",
  ignore: !url,
  sanitizeResources: false,
  fn: async () => {
    const c = await startTestConsole();
    try {
      assert.equal((await c.get("/api/logs", "")).status, 401);
    } finally {
      await c.cleanup();
    }
  },
});
