/**
 * Tempo cannot run on these machines (INFRA.md: the Go module proxy refuses it), so this adapter
 * is tested against recorded responses written by hand from Tempo's HTTP API documentation
 * (docs/sources/tempo/api_docs: the `/api/search` TraceQL and tag examples, the
 * `/api/search/tag/<tag>/values` example, and the "mostly compatible OpenTelemetry JSON" of
 * `/api/traces/<id>` with protobuf bytes as base64). They live in `testdata/tempo/`.
 */
import assert from "node:assert/strict";
import { ObstackError } from "../../lib/errors.ts";
import { createTempoReader, tempoSearchQuery } from "./tempo_reader.ts";

const TENANT = { id: "tenant-a", numericId: 1 };
const fixture = (name: string) =>
  Deno.readTextFileSync(new URL(`./testdata/tempo/${name}`, import.meta.url));

/** A fake Tempo: routes by path (and TraceQL) to a recorded file, and records every request. */
function fakeTempo(routes: (u: URL) => { status: number; file?: string }) {
  const calls: Request[] = [];
  const f = ((input: URL | RequestInfo, init?: RequestInit) => {
    const req = new Request(input, init);
    calls.push(req);
    const r = routes(new URL(req.url));
    return Promise.resolve(
      new Response(r.file ? fixture(r.file) : "trace not found", {
        status: r.status,
        headers: { "Content-Type": "application/json" },
      }),
    );
  }) as typeof fetch;
  return { calls, f };
}

Deno.test("tempoSearchQuery() builds TraceQL spanset filters with quoted values", () => {
  assert.equal(tempoSearchQuery({}), "{}");
  assert.equal(
    tempoSearchQuery({ service: 'sh"op', errorsOnly: true, minDurationMs: 250 }),
    '{ resource.service.name = "sh\\"op" && status = error && traceDuration >= 250ms }',
  );
});

Deno.test("createTempoReader() search lists traces newest first, marks errors, sends the tenant", async () => {
  const { calls, f } = fakeTempo((u) => ({
    status: 200,
    file: u.searchParams.get("q")?.includes("status = error")
      ? "search_errors.json"
      : "search.json",
  }));
  const tempo = createTempoReader({ url: "http://tempo:3200", fetch: f });
  const list = await tempo.search(TENANT, {
    startMs: 1684778000000,
    endMs: 1684779000000,
    limit: 20,
  });
  assert.deepEqual(list, [
    {
      traceId: "0000000000000000d6e9329d67b6146a",
      rootService: "frontend",
      rootName: "/cart",
      startMs: 1684778330545,
      durationMs: 0,
      hasError: false,
    },
    {
      traceId: "2f3e0cee77ae5dc9c17ade3689eb2e54",
      rootService: "shop-backend",
      rootName: "update-billing",
      startMs: 1684778327699,
      durationMs: 557,
      hasError: true,
    },
  ]);
  assert.equal(calls.length, 2);
  for (const c of calls) {
    assert.equal(c.headers.get("X-Scope-OrgID"), "tenant-a");
    const u = new URL(c.url);
    assert.equal(u.pathname, "/api/search");
    assert.equal(u.searchParams.get("start"), "1684778000");
    assert.equal(u.searchParams.get("end"), "1684779000");
    assert.equal(u.searchParams.get("limit"), "20");
  }
});

Deno.test("createTempoReader() get() decodes base64 ids, kinds, status, events and parents", async () => {
  const { calls, f } = fakeTempo(() => ({ status: 200, file: "trace_v1.json" }));
  const tempo = createTempoReader({ url: "http://tempo:3200", fetch: f });
  const t = await tempo.get(TENANT, "2F3E0CEE77AE5DC9C17ADE3689EB2E54");
  assert.ok(t);
  assert.equal(new URL(calls[0]!.url).pathname, "/api/traces/2f3e0cee77ae5dc9c17ade3689eb2e54");
  assert.equal(calls[0]!.headers.get("X-Scope-OrgID"), "tenant-a");
  assert.equal(t.traceId, "2f3e0cee77ae5dc9c17ade3689eb2e54");
  assert.deepEqual(
    t.spans.map((s) => [s.spanId, s.parentSpanId, s.service, s.name, s.kind, s.status]),
    [
      ["0000000000000001", undefined, "shop-backend", "update-billing", "server", "error"],
      ["0000000000000002", "0000000000000001", "shop-backend", "charge-card", "client", "unset"],
      [
        "0000000000000003",
        "0000000000000002",
        "billing-service",
        "POST /charge",
        "server",
        "error",
      ],
    ],
  );
  const root = t.spans[0]!;
  assert.equal(root.startUs, 1684778327699392);
  assert.equal(root.durationUs, 557000);
  assert.equal(root.statusMessage, "billing failed");
  assert.deepEqual(root.attributes, { "http.method": "POST", "http.status_code": "500" });
  assert.equal(root.resource.tenant_id, "tenant-a");
  assert.deepEqual(t.spans[1]!.events, [
    { timeUs: 1684778328000000, name: "retry", attributes: { attempt: "2" } },
  ]);
});

Deno.test("createTempoReader() get() also reads the v2 {trace: {resourceSpans}} shape", async () => {
  const { f } = fakeTempo(() => ({ status: 200, file: "trace_v2.json" }));
  const t = await createTempoReader({ url: "http://tempo:3200", fetch: f }).get(
    TENANT,
    "d6e9329d67b6146a",
  );
  assert.ok(t);
  assert.equal(t.spans[0]!.spanId, "d6abca677317989d");
  assert.equal(t.spans[0]!.status, "ok");
  assert.equal(t.spans[0]!.durationUs, 400);
});

Deno.test("createTempoReader() get() of another tenant's trace (404) is null", async () => {
  const { f } = fakeTempo(() => ({ status: 404 }));
  const tempo = createTempoReader({ url: "http://tempo:3200", fetch: f });
  assert.equal(await tempo.get(TENANT, "2f3e0cee77ae5dc9c17ade3689eb2e54"), null);
});

Deno.test("createTempoReader() refuses a malformed trace id before asking Tempo", async () => {
  const { calls, f } = fakeTempo(() => ({ status: 200, file: "trace_v1.json" }));
  const tempo = createTempoReader({ url: "http://tempo:3200", fetch: f });
  await assert.rejects(
    tempo.get(TENANT, "../../api/search"),
    (e) => (e as ObstackError).status === 400,
  );
  assert.equal(calls.length, 0);
});

Deno.test("createTempoReader() services come from the service.name tag values", async () => {
  const { calls, f } = fakeTempo(() => ({ status: 200, file: "tag_values_service_name.json" }));
  const s = await createTempoReader({ url: "http://tempo:3200", fetch: f }).services(
    TENANT,
    0,
    3600_000,
  );
  assert.deepEqual(s, ["auth-service", "billing-service", "cart-service", "shop-backend"]);
  assert.equal(new URL(calls[0]!.url).pathname, "/api/search/tag/service.name/values");
  assert.equal(calls[0]!.headers.get("X-Scope-OrgID"), "tenant-a");
});
