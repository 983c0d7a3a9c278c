import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { parseBytes, parseDuration, parseListen } from "./_parse.ts";

Deno.test("parseBytes() reads decimal and binary units", () => {
  const table: Array<[string, number | undefined]> = [
    ["1000000", 1_000_000],
    ["10MiB", 10 * 1024 * 1024],
    ["16mib", 16 * 1024 * 1024],
    ["500KB", 500_000],
    ["1.5KiB", 1536],
    ["2 GB", 2e9],
    ["0", 0],
    ["1.5", undefined],
    ["10XB", undefined],
    ["-1", undefined],
    ["MiB", undefined],
  ];
  for (const [s, want] of table) strictEqual(parseBytes(s), want, s);
});

Deno.test("parseDuration() reads ms, s, m, h and compounds", () => {
  const table: Array<[string, number | undefined]> = [
    ["250ms", 250],
    ["5s", 5000],
    ["1m30s", 90_000],
    ["2h", 7_200_000],
    ["1.5s", 1500],
    ["0", 0],
    ["10", undefined],
    ["5 s", undefined],
    ["s", undefined],
    ["5d", undefined],
  ];
  for (const [s, want] of table) strictEqual(parseDuration(s), want, s);
});

Deno.test("parseListen() reads host:port, :port and bracketed IPv6", () => {
  deepStrictEqual(parseListen("0.0.0.0:4318"), { hostname: "0.0.0.0", port: 4318 });
  deepStrictEqual(parseListen(":9465"), { hostname: "0.0.0.0", port: 9465 });
  deepStrictEqual(parseListen("[::1]:80"), { hostname: "::1", port: 80 });
  deepStrictEqual(parseListen("localhost:0"), { hostname: "localhost", port: 0 });
  strictEqual(parseListen("4318"), undefined);
  strictEqual(parseListen("::1:80"), undefined);
  strictEqual(parseListen("h:65536"), undefined);
});
