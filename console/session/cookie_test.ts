import assert from "node:assert/strict";
import { parseCookies, SESSION_COOKIE, sessionCookie } from "./cookie.ts";

Deno.test("parseCookies() reads pairs and keeps the first of duplicate names", () => {
  const m = parseCookies(`a=1; ${SESSION_COOKIE}=first; ${SESSION_COOKIE}=second; junk; b="q"`);
  assert.equal(m.get("a"), "1");
  assert.equal(m.get(SESSION_COOKIE), "first");
  assert.equal(m.get("b"), "q");
  assert.equal(m.has("junk"), false);
  assert.equal(parseCookies(null).size, 0);
});

Deno.test("sessionCookie() is HttpOnly, SameSite=Strict and Secure when asked", () => {
  const c = sessionCookie("abc_-1", { secure: true, maxAgeSeconds: 60 });
  assert.match(c, /HttpOnly/);
  assert.match(c, /SameSite=Strict/);
  assert.match(c, /Max-Age=60/);
  assert.match(c, /Secure/);
  assert.doesNotMatch(sessionCookie("x", { secure: false, maxAgeSeconds: 60 }), /Secure/);
});

Deno.test("sessionCookie() with max age 0 deletes the cookie", () => {
  const c = sessionCookie("", { secure: false, maxAgeSeconds: 0 });
  assert.match(c, /Max-Age=0/);
  assert.match(c, /Expires=Thu, 01 Jan 1970/);
});

Deno.test("sessionCookie() rejects values that could inject attributes", () => {
  assert.throws(() => sessionCookie("a; Domain=evil", { secure: false, maxAgeSeconds: 1 }));
});
