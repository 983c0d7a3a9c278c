import { strictEqual } from "node:assert/strict";
import { createRegistry } from "./registry.ts";
import { METRICS_CONTENT_TYPE, metricsHandler } from "./handler.ts";

Deno.test("metricsHandler() serves the text format with the 0.0.4 content type", async () => {
  const reg = createRegistry();
  reg.counter("hits_total", "Hits.").inc();
  const res = metricsHandler(reg)(new Request("http://x/metrics"));
  strictEqual(res.status, 200);
  strictEqual(res.headers.get("content-type"), METRICS_CONTENT_TYPE);
  strictEqual(METRICS_CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
  strictEqual(await res.text(), reg.render());
});

Deno.test("metricsHandler() answers 405 with Allow to a POST", async () => {
  const res = metricsHandler(createRegistry())(new Request("http://x/metrics", { method: "POST" }));
  strictEqual(res.status, 405);
  strictEqual(res.headers.get("allow"), "GET, HEAD");
  await res.body?.cancel();
});
