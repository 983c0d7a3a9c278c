import { deepStrictEqual, ok } from "node:assert/strict";
import { MultipleErrors, NetworkError, ProtocolError, UserError } from "@platformatic/kafka";
import { httpStatusOf } from "../errors.ts";
import { KafkaRequestError, KafkaUnavailableError } from "./errors.ts";
import { apiErrorIds, describeError, toKafkaError } from "./_errors.ts";

Deno.test("toKafkaError() makes a refused oversized record permanent", () => {
  const lib = new MultipleErrors("Producing messages failed.", [
    new ProtocolError("MESSAGE_TOO_LARGE", "batch too big"),
  ]);
  const e = toKafkaError(lib, "publish");
  ok(e instanceof KafkaRequestError);
  deepStrictEqual(e.retriable, false);
  ok(e.message.includes("MESSAGE_TOO_LARGE"), e.message);
  ok(e.message.includes("batch too big"), e.message);
  deepStrictEqual(httpStatusOf(e).status, 500);
});

Deno.test("toKafkaError() makes network failures and leader changes retriable (503)", () => {
  for (
    const lib of [
      new MultipleErrors("produce failed 3 times.", [
        new NetworkError("Connection to 127.0.0.1:1 failed."),
      ]),
      new ProtocolError("NOT_LEADER_OR_FOLLOWER"),
      new ProtocolError("NOT_ENOUGH_REPLICAS"),
      new Error("socket hang up"),
    ]
  ) {
    const e = toKafkaError(lib, "publish");
    ok(e instanceof KafkaUnavailableError, String(lib));
    const http = httpStatusOf(e);
    deepStrictEqual([http.status, http.retriable, http.retryAfterSeconds], [503, true, 1]);
  }
});

Deno.test("toKafkaError() treats the library's user errors (unknown topic) as permanent", () => {
  const e = toKafkaError(new UserError("Unknown topic nope."), "publish");
  ok(e instanceof KafkaRequestError);
});

Deno.test("apiErrorIds() and describeError() walk nested library errors", () => {
  const lib = new MultipleErrors("outer", [
    new MultipleErrors("inner", [new ProtocolError("REBALANCE_IN_PROGRESS")]),
  ]);
  deepStrictEqual(apiErrorIds(lib), ["REBALANCE_IN_PROGRESS"]);
  const text = describeError(lib);
  ok(text.startsWith("outer <- inner <- REBALANCE_IN_PROGRESS"), text);
});
