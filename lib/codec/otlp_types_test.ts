import assert from "node:assert/strict";
import Long from "long";
import { decodeOtlp, otlpJsonToProtobuf } from "./otlp.ts";
import { anyValueToJs, attributesToRecord, bytesToHex, toBigInt } from "./otlp_types.ts";

Deno.test("toBigInt() is exact for signed and unsigned Longs, numbers, strings and absence", () => {
  assert.equal(toBigInt(Long.fromString("18446744073709551615", true)), 18446744073709551615n);
  assert.equal(toBigInt(Long.fromString("-9223372036854775808")), -9223372036854775808n);
  assert.equal(toBigInt(42), 42n);
  assert.equal(toBigInt("1700000000123456789"), 1700000000123456789n);
  assert.equal(toBigInt(null), 0n);
  assert.equal(toBigInt(undefined), 0n);
});

Deno.test("bytesToHex() writes lower-case hex", () => {
  assert.equal(bytesToHex(new Uint8Array([0, 0x0a, 0xff])), "000aff");
  assert.equal(bytesToHex(new Uint8Array()), "");
});

Deno.test("anyValueToJs() and attributesToRecord() convert decoded attributes by presence", () => {
  const bytes = otlpJsonToProtobuf(
    "logs",
    JSON.stringify({
      resourceLogs: [{
        resource: {
          attributes: [
            { key: "empty-string", value: { stringValue: "" } },
            { key: "zero", value: { intValue: "0" } },
            { key: "big", value: { intValue: "9007199254740993" } },
            { key: "f", value: { boolValue: false } },
            { key: "nan", value: { doubleValue: "NaN" } },
            { key: "b", value: { bytesValue: "AAH/" } },
            { key: "arr", value: { arrayValue: { values: [{ doubleValue: 1.5 }, {}] } } },
            {
              key: "kv",
              value: { kvlistValue: { values: [{ key: "x", value: { stringValue: "y" } }] } },
            },
            { key: "none", value: {} },
            { key: "absent" },
          ],
        },
      }],
    }),
  );
  const attrs = decodeOtlp("logs", bytes).resourceLogs[0]!.resource!.attributes;
  assert.deepEqual(attributesToRecord(attrs), {
    "empty-string": "",
    zero: 0,
    big: "9007199254740993",
    f: false,
    nan: "NaN",
    b: "AAH/",
    arr: [1.5, null],
    kv: { x: "y" },
    none: null,
    absent: null,
  });
  assert.equal(anyValueToJs({ intValue: 7 }), 7);
  assert.equal(anyValueToJs(null), null);
});
