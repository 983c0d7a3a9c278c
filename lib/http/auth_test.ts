import { deepStrictEqual, ok } from "node:assert/strict";
import { extractToken, wwwAuthenticate } from "./auth.ts";

function req(authorization?: string): Request {
  const headers = new Headers();
  if (authorization !== undefined) headers.set("authorization", authorization);
  return new Request("http://x/v1/logs", { method: "POST", headers });
}

const basic = (s: string) => "Basic " + btoa(s);

Deno.test("extractToken() reads a Bearer token, scheme case-insensitive", () => {
  deepStrictEqual(extractToken(req("Bearer obs_abc-_123")), { token: "obs_abc-_123" });
  deepStrictEqual(extractToken(req("bearer obs_abc")), { token: "obs_abc" });
  deepStrictEqual(extractToken(req("BEARER   obs_abc  ")), { token: "obs_abc" });
});

Deno.test("extractToken() takes the password of Basic credentials as the token", () => {
  deepStrictEqual(extractToken(req(basic("tenant-a:obs_tok"))), { token: "obs_tok" });
  deepStrictEqual(extractToken(req(basic(":obs_tok"))), { token: "obs_tok" });
  // Only the first colon separates user from password (RFC 7617 §2).
  deepStrictEqual(extractToken(req(basic("u:pa:ss"))), { token: "pa:ss" });
});

Deno.test("extractToken() gives a short reason for missing or malformed credentials", () => {
  const cases: Array<[string | undefined, string]> = [
    [undefined, "missing Authorization header"],
    ["", "missing Authorization header"],
    ["Bearer", "malformed Authorization header"],
    ["Bearer a b", "malformed bearer token"],
    ["Bearer tok\u00e9n", "malformed bearer token"],
    ["Basic !!!", "malformed basic credentials"],
    ["Basic " + btoa("no-colon"), "malformed basic credentials"],
    [basic("user:"), "basic credentials need the token as password"],
    ["Digest username=x", "unsupported authorization scheme"],
    ["Bearer " + "a".repeat(5000), "Authorization header too long"],
  ];
  for (const [h, reason] of cases) {
    const r = extractToken(req(h));
    deepStrictEqual(r, { error: reason }, String(h));
  }
});

Deno.test("extractToken() never echoes the credentials in its reason", () => {
  const r = extractToken(req("Bearer secret token"));
  ok("error" in r && !r.error.includes("secret"));
});

Deno.test("wwwAuthenticate() offers Bearer and Basic challenges in one field value", () => {
  deepStrictEqual(wwwAuthenticate(), 'Bearer realm="obstack", Basic realm="obstack"');
});
