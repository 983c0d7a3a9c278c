import assert from "node:assert/strict";
import { isSameOrigin } from "./origin.ts";

const post = (headers: Record<string, string>) =>
  new Request("http://console.local:8080/login", { method: "POST", headers });

Deno.test("isSameOrigin() accepts the console's own origin and configured ones", () => {
  assert.ok(isSameOrigin(post({ Origin: "http://console.local:8080" }), []));
  assert.ok(
    isSameOrigin(post({ Origin: "https://obs.example.com" }), ["https://obs.example.com/"]),
  );
});

Deno.test("isSameOrigin() refuses foreign, null and missing origins", () => {
  assert.equal(isSameOrigin(post({ Origin: "http://evil.example" }), []), false);
  assert.equal(isSameOrigin(post({ Origin: "http://console.local:9999" }), []), false);
  assert.equal(isSameOrigin(post({ Origin: "null" }), []), false);
  assert.equal(isSameOrigin(post({}), []), false);
});

Deno.test("isSameOrigin() falls back to Referer when Origin is absent", () => {
  assert.ok(isSameOrigin(post({ Referer: "http://console.local:8080/login?x=1" }), []));
  assert.equal(isSameOrigin(post({ Referer: "http://evil.example/" }), []), false);
  assert.equal(isSameOrigin(post({ Referer: "::::" }), []), false);
});
