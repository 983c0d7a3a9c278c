import { strictEqual, throws } from "node:assert/strict";
import { createRegistry, escapeHelp, escapeLabelValue, formatValue } from "./registry.ts";

Deno.test("render() escapes backslash, double quote and newline in label values", () => {
  const reg = createRegistry();
  const c = reg.counter("x_total", "X.", ["v"]);
  c.inc({ v: 'a\\b"c\nd' });
  strictEqual(
    reg.render(),
    '# HELP x_total X.\n# TYPE x_total counter\nx_total{v="a\\\\b\\"c\\nd"} 1\n',
  );
});

Deno.test("render() escapes backslash and newline in HELP but leaves quotes", () => {
  strictEqual(escapeHelp('a\\b\n"c"'), 'a\\\\b\\n"c"');
  strictEqual(escapeLabelValue("plain"), "plain");
});

Deno.test("render() sorts families by name and series by label values, deterministically", () => {
  const reg = createRegistry();
  const b = reg.counter("b_total", "B.", ["tenant"]);
  const a = reg.gauge("a_value", "A.", []);
  b.inc({ tenant: "zeta" }, 2);
  b.inc({ tenant: "alpha" });
  a.set({}, 1.5);
  const text = reg.render();
  strictEqual(
    text,
    [
      "# HELP a_value A.",
      "# TYPE a_value gauge",
      "a_value 1.5",
      "# HELP b_total B.",
      "# TYPE b_total counter",
      'b_total{tenant="alpha"} 1',
      'b_total{tenant="zeta"} 2',
      "",
    ].join("\n"),
  );
  strictEqual(reg.render(), text);
});

Deno.test("histogram renders cumulative buckets, +Inf, _sum and _count", () => {
  const reg = createRegistry();
  const h = reg.histogram("lat_seconds", "Latency.", ["op"], [0.1, 1]);
  h.observe({ op: "p" }, 0.05);
  h.observe({ op: "p" }, 0.1);
  h.observe({ op: "p" }, 0.5);
  h.observe({ op: "p" }, 3);
  strictEqual(
    reg.render(),
    [
      "# HELP lat_seconds Latency.",
      "# TYPE lat_seconds histogram",
      'lat_seconds_bucket{op="p",le="0.1"} 2',
      'lat_seconds_bucket{op="p",le="1"} 3',
      'lat_seconds_bucket{op="p",le="+Inf"} 4',
      'lat_seconds_sum{op="p"} 3.65',
      'lat_seconds_count{op="p"} 4',
      "",
    ].join("\n"),
  );
});

Deno.test("gauge inc/dec/set and counter defaults", () => {
  const reg = createRegistry();
  const g = reg.gauge("inflight", "In flight.");
  g.inc();
  g.inc();
  g.dec();
  const c = reg.counter("c_total", "C.");
  c.inc();
  c.inc(undefined, 4);
  const text = reg.render();
  strictEqual(text.includes("\ninflight 1\n"), true);
  strictEqual(text.includes("\nc_total 5\n"), true);
});

Deno.test("the registry rejects invalid names, labels and duplicate registration", () => {
  const reg = createRegistry();
  throws(() => reg.counter("1bad", "x"), /invalid metric name/);
  throws(() => reg.counter("ok_total", "x", ["bad-label"]), /invalid label name/);
  throws(() => reg.counter("ok2_total", "x", ["__reserved"]), /invalid label name/);
  throws(() => reg.histogram("h", "x", ["le"], [1]), /reserved/);
  throws(() => reg.histogram("h2", "x", [], [2, 1]), /increasing/);
  reg.counter("dup_total", "x");
  throws(() => reg.gauge("dup_total", "x"), /already registered/);
  const c = reg.counter("l_total", "x", ["a"]);
  throws(() => c.inc({}), /missing/);
  throws(() => c.inc({ a: "1", b: "2" }), /unknown label/);
  throws(() => c.inc({ a: "1" }, -1), /cannot add/);
});

Deno.test("formatValue() writes special floats as the format requires", () => {
  strictEqual(formatValue(Infinity), "+Inf");
  strictEqual(formatValue(-Infinity), "-Inf");
  strictEqual(formatValue(NaN), "NaN");
  strictEqual(formatValue(1e21), "1e+21");
});

Deno.test("onCollect() callbacks run before every render", () => {
  const reg = createRegistry();
  const g = reg.gauge("sampled", "S.");
  let n = 0;
  reg.onCollect(() => g.set({}, ++n));
  reg.onCollect(() => {
    throw new Error("ignored");
  });
  strictEqual(reg.render().includes("sampled 1\n"), true);
  strictEqual(reg.render().includes("sampled 2\n"), true);
});
