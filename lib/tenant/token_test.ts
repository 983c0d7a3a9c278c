import { notStrictEqual, ok, strictEqual } from "node:assert/strict";
import { base64url, generateToken, hashToken, isValidTenantId } from "./token.ts";

Deno.test("generateToken() returns obs_ + base64url of 32 random bytes", () => {
  const t = generateToken();
  ok(/^obs_[A-Za-z0-9_-]{43}$/.test(t), t);
  notStrictEqual(generateToken(), t);
});

Deno.test("hashToken() returns sha256:<hex> of the token (known vector)", async () => {
  // SHA-256("abc") from FIPS 180-2, appendix B.1.
  strictEqual(
    await hashToken("abc"),
    "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
});

Deno.test("base64url() uses the URL alphabet without padding", () => {
  strictEqual(base64url(new Uint8Array([0xfb, 0xff, 0xbf])), "-_-_");
  strictEqual(base64url(new Uint8Array([1])), "AQ");
});

Deno.test("isValidTenantId() allows only the safe alphabet", () => {
  for (const id of ["a", "acme", "tenant-a", "0", "a".repeat(63)]) ok(isValidTenantId(id), id);
  for (const id of ["", "-a", "A", "a_b", "a.b", "a/b", "a b", "a".repeat(64), "é", 1, null]) {
    ok(!isValidTenantId(id), String(id));
  }
});
