import assert from "node:assert/strict";
import { ObstackError } from "../../lib/errors.ts";
import { createUpstream } from "./upstream.ts";

function recorder(resp: () => Response) {
  const calls: Request[] = [];
  const f = ((input: URL | RequestInfo, init?: RequestInit) => {
    calls.push(new Request(input, init));
    return Promise.resolve(resp());
  }) as typeof fetch;
  return { calls, f };
}

Deno.test("createUpstream() builds the URL with repeated params and sends the headers", async () => {
  const { calls, f } = recorder(() => Response.json({ ok: 1 }));
  const up = createUpstream({ name: "X", baseUrl: "http://x:1/base/", fetch: f });
  const r = await up.json({
    path: "/api/v1/series",
    params: { "match[]": ["a", "b"], skip: undefined },
    headers: { "X-Scope-OrgID": "t" },
  });
  assert.deepEqual(r.body, { ok: 1 });
  const u = new URL(calls[0]!.url);
  assert.equal(u.pathname, "/base/api/v1/series");
  assert.deepEqual(u.searchParams.getAll("match[]"), ["a", "b"]);
  assert.equal(u.searchParams.has("skip"), false);
  assert.equal(calls[0]!.headers.get("X-Scope-OrgID"), "t");
});

Deno.test("createUpstream() maps a 4xx to 400 with the store's truncated message", async () => {
  const { f } = recorder(() =>
    Response.json({ status: "error", error: "parse error: " + "x".repeat(1000) }, { status: 422 })
  );
  const up = createUpstream({ name: "Prometheus", baseUrl: "http://x", fetch: f });
  await assert.rejects(up.json({ path: "/q" }), (e: unknown) => {
    assert.ok(e instanceof ObstackError);
    assert.equal(e.status, 400);
    assert.match(e.message, /^Prometheus rejected the query: parse error/);
    assert.ok(e.message.length < 400);
    return true;
  });
});

Deno.test("createUpstream() maps 5xx to 502 and an unreachable store to 503", async () => {
  const five = createUpstream({
    name: "S",
    baseUrl: "http://x",
    fetch: recorder(() => new Response("boom", { status: 500 })).f,
  });
  await assert.rejects(
    five.request({ path: "/" }),
    (e: unknown) => (e as ObstackError).status === 502,
  );
  const down = createUpstream({
    name: "S",
    baseUrl: "http://x",
    fetch: (() => Promise.reject(new TypeError("connection refused"))) as typeof fetch,
  });
  await assert.rejects(down.request({ path: "/" }), (e: unknown) => {
    assert.equal((e as ObstackError).status, 503);
    assert.equal((e as ObstackError).message, "S is unreachable");
    return true;
  });
});

Deno.test("createUpstream() passes chosen statuses through and bounds the body", async () => {
  const nf = createUpstream({
    name: "S",
    baseUrl: "http://x",
    fetch: recorder(() => new Response("nope", { status: 404 })).f,
  });
  assert.equal((await nf.request({ path: "/", passStatus: [404] })).status, 404);
  const big = createUpstream({
    name: "S",
    baseUrl: "http://x",
    maxResponseBytes: 10,
    fetch: recorder(() => new Response("x".repeat(100))).f,
  });
  await assert.rejects(big.request({ path: "/" }), /more than 10 bytes/);
});
