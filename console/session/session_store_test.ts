import assert from "node:assert/strict";
import { createSessionStore } from "./session_store.ts";

Deno.test("createSessionStore() sessions carry the tenant and expire after the TTL", () => {
  let t = 1_000_000;
  const store = createSessionStore({ ttlMs: 1000, now: () => t });
  const s = store.create({ tenantId: "tenant-a", method: "token" });
  assert.match(s.id, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(store.get(s.id)?.tenantId, "tenant-a");
  t += 999;
  assert.ok(store.get(s.id));
  t += 1;
  assert.equal(store.get(s.id), null);
});

Deno.test("createSessionStore() ids are unguessable and a tampered id matches nothing", () => {
  const store = createSessionStore({ ttlMs: 60_000 });
  const a = store.create({ tenantId: "a", method: "token" });
  const b = store.create({ tenantId: "a", method: "token" });
  assert.notEqual(a.id, b.id);
  const flipped = (a.id[0] === "A" ? "B" : "A") + a.id.slice(1);
  assert.equal(store.get(flipped), null);
  assert.equal(store.get(a.id + "x"), null);
  assert.equal(store.get(undefined), null);
  assert.equal(store.get("../../etc"), null);
});

Deno.test("createSessionStore() destroy() ends a session and destroyTenant() all of a tenant", () => {
  const store = createSessionStore({ ttlMs: 60_000 });
  const a = store.create({ tenantId: "a", method: "token" });
  const a2 = store.create({ tenantId: "a", method: "password", user: "ann" });
  const b = store.create({ tenantId: "b", method: "token" });
  store.destroy(a.id);
  assert.equal(store.get(a.id), null);
  store.destroyTenant("a");
  assert.equal(store.get(a2.id), null);
  assert.ok(store.get(b.id));
});

Deno.test("createSessionStore() drops the oldest sessions beyond maxSessions", () => {
  const store = createSessionStore({ ttlMs: 60_000, maxSessions: 2 });
  const s1 = store.create({ tenantId: "a", method: "token" });
  const s2 = store.create({ tenantId: "a", method: "token" });
  const s3 = store.create({ tenantId: "a", method: "token" });
  assert.equal(store.get(s1.id), null);
  assert.ok(store.get(s2.id));
  assert.ok(store.get(s3.id));
  assert.equal(store.size(), 2);
});
