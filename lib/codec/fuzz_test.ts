/**
 * Mutation fuzzing over the golden fixtures: whatever the bytes, the strict decoders and the
 * stampers either succeed or throw a CodecError — never another error — and whatever a
 * stamper accepts decodes again. Deterministic (seeded), a few thousand cases per format.
 */
import assert from "node:assert/strict";
import { CodecError } from "./codec_error.ts";
import { gunzipBounded } from "./gzip.ts";
import { decodeOtlp, otlpJsonToProtobuf, type Signal, splitOtlp, stampOtlpTenant } from "./otlp.ts";
import { decodeWriteRequestV1, stampRemoteWriteV1 } from "./remote_write/v1.ts";
import { decodeWriteRequestV2, splitRemoteWriteV2, stampRemoteWriteV2 } from "./remote_write/v2.ts";
import { snappyDecode } from "./snappy.ts";

const DIR = new URL("./testdata/", import.meta.url);
const read = (f: string) => Deno.readFileSync(new URL(f, DIR));

/** xorshift32: reproducible mutations. */
function rng(seed: number) {
  let x = seed >>> 0 || 1;
  return (n: number) => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x % n;
  };
}

function mutate(src: Uint8Array, r: (n: number) => number): Uint8Array {
  const b = src.slice();
  switch (r(4)) {
    case 0: // flip bytes
      for (let i = 0, n = 1 + r(4); i < n; i++) b[r(b.length)] = r(256);
      return b;
    case 1: // truncate
      return b.subarray(0, r(b.length));
    case 2: { // duplicate a slice somewhere
      const s = r(b.length);
      const e = Math.min(b.length, s + 1 + r(32));
      const at = r(b.length);
      return new Uint8Array([...b.subarray(0, at), ...b.subarray(s, e), ...b.subarray(at)]);
    }
    default: // set a byte to a varint-ish continuation value
      b[r(b.length)] = 0x80 | r(128);
      return b;
  }
}

function onlyCodecErrors(fn: () => void, what: string): boolean {
  try {
    fn();
    return true;
  } catch (e) {
    if (!(e instanceof CodecError)) {
      assert.fail(`${what}: ${e instanceof Error ? e.stack : e}`);
    }
    return false;
  }
}

for (const signal of ["logs", "metrics", "traces"] as Signal[]) {
  Deno.test(`decodeOtlp()/stampOtlpTenant() survive mutated ${signal} fixtures`, () => {
    const pb = read(`otelcol/${signal}.pb`);
    const r = rng(0x5eed + signal.length);
    let accepted = 0;
    for (let i = 0; i < 3000; i++) {
      const m = mutate(pb, r);
      onlyCodecErrors(() => decodeOtlp(signal, m), `decode #${i}`);
      const ok = onlyCodecErrors(() => {
        const out = stampOtlpTenant(signal, m, "t");
        decodeOtlp(signal, out.bytes);
        for (const ch of splitOtlp(signal, out.bytes, 600)) decodeOtlp(signal, ch);
      }, `stamp #${i}`);
      if (ok) accepted++;
    }
    assert.ok(accepted > 0 && accepted < 3000);
  });

  Deno.test(`otlpJsonToProtobuf() survives mutated ${signal} JSON`, () => {
    const text = new TextDecoder().decode(read(`otelcol/${signal}.json`));
    const r = rng(0xbeef + signal.length);
    for (let i = 0; i < 1500; i++) {
      const m = new TextDecoder().decode(mutate(new TextEncoder().encode(text), r));
      onlyCodecErrors(() => otlpJsonToProtobuf(signal, m), `json #${i}`);
    }
  });
}

Deno.test("remote write decoders and stampers survive mutated Prometheus fixtures", () => {
  const v1 = snappyDecode(read("prometheus/rw1-samples.snappy"), 1 << 26);
  const v2 = snappyDecode(read("prometheus/rw2.snappy"), 1 << 26);
  const r = rng(0xc0ffee);
  for (let i = 0; i < 800; i++) {
    const m1 = mutate(v1, r);
    onlyCodecErrors(() => decodeWriteRequestV1(m1), `v1 decode #${i}`);
    onlyCodecErrors(() => decodeWriteRequestV1(stampRemoteWriteV1(m1, "t").bytes), `v1 #${i}`);
    const m2 = mutate(v2, r);
    onlyCodecErrors(() => decodeWriteRequestV2(m2), `v2 decode #${i}`);
    onlyCodecErrors(() => {
      const out = stampRemoteWriteV2(m2, "t").bytes;
      decodeWriteRequestV2(out);
      if (i % 50 === 0) splitRemoteWriteV2(out, 20000);
    }, `v2 #${i}`);
  }
});

Deno.test("snappyDecode() and gunzipBounded() survive mutated compressed fixtures", async () => {
  const sn = read("prometheus/rw2.snappy");
  const gz = read("otelcol/traces.pb.gz");
  const r = rng(0xfeed);
  for (let i = 0; i < 1000; i++) {
    const m = mutate(sn, r);
    onlyCodecErrors(() => snappyDecode(m, 1 << 22), `snappy #${i}`);
  }
  for (let i = 0; i < 300; i++) {
    const m = mutate(gz, r);
    try {
      await gunzipBounded(m, 1 << 20);
    } catch (e) {
      assert.ok(e instanceof CodecError, `gzip #${i}: ${e}`);
    }
  }
});
