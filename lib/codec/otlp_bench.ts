/**
 * Throughput of the hot paths of ingest: `deno bench lib/codec/otlp_bench.ts`.
 * Inputs are ~1 MB export requests built from the rich samples of `_test_samples.ts`.
 */
import { decodeOtlp, otlpJsonToProtobuf, type Signal, stampOtlpTenant } from "./otlp.ts";
import { stampRemoteWriteV1 } from "./remote_write/v1.ts";
import { protoRoot } from "./proto.ts";
import { sampleRequest } from "./_test_samples.ts";

const sizes: Record<Signal, number> = { logs: 600, metrics: 60, traces: 250 };
for (const signal of ["logs", "metrics", "traces"] as Signal[]) {
  const bytes = otlpJsonToProtobuf(signal, JSON.stringify(sampleRequest(signal, sizes[signal], 2)));
  const mb = (bytes.length / 1e6).toFixed(2);
  Deno.bench(`stampOtlpTenant ${signal} (${mb} MB)`, { group: signal, baseline: true }, () => {
    stampOtlpTenant(signal, bytes, "tenant-a");
  });
  Deno.bench(`decodeOtlp ${signal} (${mb} MB)`, { group: signal }, () => {
    decodeOtlp(signal, bytes);
  });
}

const T = protoRoot().lookupType("prometheus.WriteRequest");
const rw = T.encode(T.fromObject({
  timeseries: Array.from({ length: 10000 }, (_, i) => ({
    labels: [
      { name: "__name__", value: `http_requests_total` },
      { name: "instance", value: `host-${i % 50}:9100` },
      { name: "job", value: "api" },
      { name: "path", value: `/v1/items/${i}` },
    ],
    samples: [{ value: i, timestamp: 1700000000000 + i }],
  })),
})).finish();
Deno.bench(`stampRemoteWriteV1 (${(rw.length / 1e6).toFixed(2)} MB)`, () => {
  stampRemoteWriteV1(rw, "tenant-a");
});
