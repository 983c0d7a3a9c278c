import assert from "node:assert/strict";
import { ObstackError } from "../lib/errors.ts";
import { intParam, stringParam, timeParam, windowParams } from "./params.ts";

const u = (q: string) => new URL(`http://c/api/x?${q}`);
const is400 = (e: unknown) => (e as ObstackError).status === 400;

Deno.test("timeParam() reads ms since epoch and RFC 3339, else the fallback", () => {
  assert.equal(timeParam(u("t=1700000000123"), "t", 0), 1700000000123);
  assert.equal(timeParam(u("t=2024-01-02T03:04:05Z"), "t", 0), Date.UTC(2024, 0, 2, 3, 4, 5));
  assert.equal(timeParam(u(""), "t", 42), 42);
  assert.throws(() => timeParam(u("t=yesterday"), "t", 0), is400);
});

Deno.test("intParam() bounds and validates", () => {
  assert.equal(intParam(u("n=5"), "n", 1, 1, 10), 5);
  assert.equal(intParam(u(""), "n", 7, 1, 10), 7);
  assert.throws(() => intParam(u("n=11"), "n", 1, 1, 10), /between 1 and 10/);
  assert.throws(() => intParam(u("n=1e3"), "n", 1, 1, 10000), is400);
});

Deno.test("stringParam() trims, treats empty as absent and bounds the length", () => {
  assert.equal(stringParam(u("s=%20a%20"), "s"), "a");
  assert.equal(stringParam(u("s="), "s"), undefined);
  assert.throws(() => stringParam(u(`s=${"x".repeat(11)}`), "s", 10), /longer than 10/);
});

Deno.test("windowParams() defaults to the last period and refuses start after end", () => {
  assert.deepEqual(windowParams(u(""), 10_000, 1000), { startMs: 9000, endMs: 10_000 });
  assert.deepEqual(windowParams(u("start=1&end=5"), 10_000, 1000), { startMs: 1, endMs: 5 });
  assert.throws(() => windowParams(u("start=5&end=1"), 10_000, 1000), is400);
});
