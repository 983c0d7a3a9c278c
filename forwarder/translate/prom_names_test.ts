import assert from "node:assert/strict";
import {
  attributesToLabels,
  formatPromFloat,
  promMetricName,
  promUnit,
  sanitizeLabelName,
  sanitizeMetricName,
} from "./prom_names.ts";

Deno.test("promUnit() spells out abbreviations, drops annotations and joins per-units", () => {
  const cases: [string, Parameters<typeof promUnit>[1], string][] = [
    ["ms", "histogram", "milliseconds"],
    ["s", "gauge", "seconds"],
    ["By", "counter", "bytes"],
    ["KiBy", "gauge", "kibibytes"],
    ["By/s", "gauge", "bytes_per_second"],
    ["{request}/s", "gauge", "per_second"],
    ["{packet}", "counter", ""],
    ["1", "gauge", "ratio"],
    ["1", "counter", ""],
    ["%", "gauge", "percent"],
    ["Cel", "gauge", "celsius"],
    ["widgets", "gauge", "widgets"],
    ["m/s", "gauge", "meters_per_second"],
    ["", "gauge", ""],
  ];
  for (const [unit, kind, want] of cases) {
    assert.equal(promUnit(unit, kind), want, `${unit} (${kind})`);
  }
});

Deno.test("promMetricName() adds the unit once and _total for counters only", () => {
  const cases: [string, string, Parameters<typeof promMetricName>[2], string][] = [
    ["http.server.request.duration", "s", "histogram", "http_server_request_duration_seconds"],
    [
      "http.server.request.duration.seconds",
      "s",
      "histogram",
      "http_server_request_duration_seconds",
    ],
    ["requests", "{request}", "counter", "requests_total"],
    ["requests_total", "{request}", "counter", "requests_total"],
    ["sent", "By", "counter", "sent_bytes_total"],
    ["sent_total", "By", "counter", "sent_bytes_total"],
    ["memory.usage", "By", "gauge", "memory_usage_bytes"],
    ["cpu.utilization", "1", "gauge", "cpu_utilization_ratio"],
    ["foo--bar..baz", "", "gauge", "foo_bar_baz"],
    ["3xx.count", "", "counter", "_3xx_count_total"],
    ["queue.size", "{item}", "gauge", "queue_size"],
  ];
  for (const [name, unit, kind, want] of cases) {
    assert.equal(promMetricName(name, unit, kind), want, `${name} [${unit}] ${kind}`);
  }
});

Deno.test("sanitizeMetricName() and sanitizeLabelName() follow the name regexes", () => {
  assert.equal(sanitizeMetricName("a.b/c:d"), "a_b_c:d");
  assert.equal(sanitizeMetricName("a___b"), "a_b");
  assert.equal(sanitizeLabelName("service.instance.id"), "service_instance_id");
  assert.equal(sanitizeLabelName("a:b"), "a_b");
  assert.equal(sanitizeLabelName("1st"), "key_1st");
  assert.equal(sanitizeLabelName("__name__"), "_name_");
  for (const s of ["x.y-z", "ü", "9a", "a b"]) {
    assert.match(sanitizeLabelName(s), /^[a-zA-Z_][a-zA-Z0-9_]*$/);
    assert.match(sanitizeMetricName(s), /^[a-zA-Z_:][a-zA-Z0-9_:]*$/);
  }
});

Deno.test("attributesToLabels() joins colliding keys with ';' in original key order", () => {
  const labels = attributesToLabels([["a_b", "second"], ["a.b", "first"], ["c", "x"]]);
  assert.deepEqual([...labels], [["a_b", "first;second"], ["c", "x"]]);
});

Deno.test("formatPromFloat() prints like Go's FormatFloat(f, 'f', -1, 64)", () => {
  assert.equal(formatPromFloat(0.1), "0.1");
  assert.equal(formatPromFloat(1), "1");
  assert.equal(formatPromFloat(2.5e-7), "0.00000025");
  assert.equal(formatPromFloat(1e21), "1000000000000000000000");
  assert.equal(formatPromFloat(Infinity), "+Inf");
  assert.equal(formatPromFloat(-0), "0");
});
