import { deepStrictEqual, strictEqual } from "node:assert/strict";
import {
  badRequest,
  httpStatusOf,
  methodNotAllowed,
  ObstackError,
  payloadTooLarge,
  tooManyRequests,
  unauthorized,
  unavailable,
  unsupportedMediaType,
} from "./errors.ts";

Deno.test("httpStatusOf() maps each constructor to its status and retry semantics", () => {
  const table: Array<[ObstackError, number, boolean, number | undefined]> = [
    [badRequest("bad"), 400, false, undefined],
    [unauthorized("who"), 401, false, undefined],
    [payloadTooLarge("big"), 413, false, undefined],
    [unsupportedMediaType("type"), 415, false, undefined],
    [methodNotAllowed(["POST"]), 405, false, undefined],
    [tooManyRequests(3), 429, true, 3],
    [unavailable("broker", 5), 503, true, 5],
  ];
  for (const [err, status, retriable, retryAfter] of table) {
    const got = httpStatusOf(err);
    strictEqual(got.status, status, err.message);
    strictEqual(got.retriable, retriable, err.message);
    strictEqual(got.retryAfterSeconds, retryAfter, err.message);
    strictEqual(got.message, err.message);
  }
});

Deno.test("httpStatusOf() hides the message of an unknown error behind a 500", () => {
  deepStrictEqual(httpStatusOf(new Error("secret internals at /etc/x")), {
    status: 500,
    retriable: true,
    message: "internal error",
  });
  strictEqual(httpStatusOf("a string").status, 500);
  strictEqual(httpStatusOf(undefined).status, 500);
});

Deno.test("ObstackError defaults retriable from the status and rounds Retry-After up", () => {
  strictEqual(new ObstackError({ code: "x", message: "m", status: 502 }).retriable, true);
  strictEqual(new ObstackError({ code: "x", message: "m", status: 404 }).retriable, false);
  strictEqual(unavailable("slow", 2.2).retryAfterSeconds, 3);
  const cause = new Error("root");
  const e = new ObstackError({ code: "x", message: "m", status: 400, cause });
  strictEqual(e.cause, cause);
  strictEqual(e instanceof Error, true);
});

Deno.test("methodNotAllowed() names the allowed methods", () => {
  strictEqual(methodNotAllowed(["POST", "OPTIONS"]).message.includes("POST, OPTIONS"), true);
});
