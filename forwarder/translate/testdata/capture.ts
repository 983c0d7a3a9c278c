/**
 * Captures the metric translation fixtures from a real OpenTelemetry SDK exporter:
 * `telemetrygen` (OpenTelemetry Go SDK, OTLP/HTTP protobuf exporter) sends each metric type with
 * each temporality to a small capture server; every body is stored as `<type>-<temporality>.pb`.
 *
 *   deno run -A forwarder/translate/testdata/capture.ts [path/to/telemetrygen]
 *
 * The binary defaults to OBSTACK_BIN_TELEMETRYGEN. Summaries are not produced by any OTLP SDK
 * (they only come from Prometheus receivers), so the summary case is hand-written in the test.
 *
 * @module
 */
const bin = Deno.args[0] ?? Deno.env.get("OBSTACK_BIN_TELEMETRYGEN");
if (!bin) {
  console.error("capture: pass the telemetrygen binary or set OBSTACK_BIN_TELEMETRYGEN");
  Deno.exit(2);
}
const out = new URL(".", import.meta.url).pathname;
let pending: ((b: Uint8Array) => void) | undefined;
const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
  const body = new Uint8Array(await req.arrayBuffer());
  pending?.(body);
  return new Response(new Uint8Array(), { headers: { "content-type": "application/x-protobuf" } });
});
const port = server.addr.port;
for (const type of ["Gauge", "Sum", "Histogram", "ExponentialHistogram"]) {
  for (const temporality of type === "Gauge" ? ["cumulative"] : ["cumulative", "delta"]) {
    const got = new Promise<Uint8Array>((r) => (pending = r));
    const cmd = await new Deno.Command(bin, {
      args: [
        "metrics",
        "--otlp-http",
        "--otlp-insecure",
        `--otlp-endpoint=127.0.0.1:${port}`,
        "--rate=0",
        "--metrics=1",
        `--metric-type=${type}`,
        `--aggregation-temporality=${temporality}`,
        "--service=fixture-svc",
        '--otlp-attributes=tenant_id="acme"',
        '--telemetry-attributes=http.route="/checkout"',
      ],
      stdout: "null",
      stderr: "null",
    }).output();
    const body = await Promise.race([
      got,
      new Promise<undefined>((r) => setTimeout(() => r(undefined), 15_000)),
    ]);
    if (!cmd.success || !body) throw new Error(`telemetrygen ${type}/${temporality} failed`);
    const file = `${out}${type.toLowerCase()}-${temporality}.pb`;
    await Deno.writeFile(file, body);
    console.log(`${file}: ${body.length} bytes`);
  }
}
await server.shutdown();
