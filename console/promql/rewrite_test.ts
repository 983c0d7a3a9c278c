import assert from "node:assert/strict";
import { parser } from "@prometheus-io/lezer-promql";
import { rewritePromQL } from "./rewrite.ts";
import { decodeStringLiteral } from "./string_literal.ts";

const T = "tenant-a";
const S = `tenant_id="${T}"`;

/** A query that is rewritten, with the exact expected output. */
interface Rewritten {
  name: string;
  query: string;
  want: string;
}

/** A query that is refused, with a pattern its reason must match. */
interface Refused {
  name: string;
  query: string;
  reason: RegExp;
}

const REWRITTEN: Rewritten[] = [
  { name: "bare metric name", query: "up", want: `up{${S}}` },
  {
    name: "metric with matchers",
    query: 'http_requests_total{job="api",code=~"5.."}',
    want: `http_requests_total{job="api", code=~"5..", ${S}}`,
  },
  { name: "empty braces", query: "up{}", want: `up{${S}}` },
  { name: "trailing comma in matchers", query: 'up{job="a",}', want: `up{job="a", ${S}}` },
  {
    name: "own tenant matcher is accepted and not duplicated",
    query: `up{tenant_id="${T}"}`,
    want: `up{${S}}`,
  },
  {
    name: "__name__ regex selects every metric, but only the tenant's series",
    query: '{__name__=~".+"}',
    want: `{__name__=~".+", ${S}}`,
  },
  {
    name: "__name__ regex matching the empty string",
    query: '{__name__=~".*"}',
    want: `{__name__=~".*", ${S}}`,
  },
  {
    name: "__name__ negative regex",
    query: 'count({__name__!~"up|scrape_.*"})',
    want: `count({__name__!~"up|scrape_.*", ${S}})`,
  },
  {
    name: "quoted UTF-8 metric name",
    query: '{"http.server.duration", "service.name"="x"}',
    want: `{__name__="http.server.duration", "service.name"="x", ${S}}`,
  },
  {
    name: "aggregation over rate with range",
    query: "sum by (job) (rate(http_requests_total[5m]))",
    want: `sum by (job) (rate(http_requests_total{${S}}[5m]))`,
  },
  {
    name: "both sides of a binary operator",
    query: "a / on(instance) group_left(job) b",
    want: `a{${S}} / on(instance) group_left(job) b{${S}}`,
  },
  {
    name: "or with on() and vector()",
    query: "up or on() vector(1)",
    want: `up{${S}} or on() vector(1)`,
  },
  {
    name: "unless with on()",
    query: 'up unless on() up{job="x"}',
    want: `up{${S}} unless on() up{job="x", ${S}}`,
  },
  {
    name: "and with on(tenant_id) (grouping by the label is harmless)",
    query: "a and on(tenant_id) b",
    want: `a{${S}} and on(tenant_id) b{${S}}`,
  },
  { name: "vector() alone carries no series", query: "vector(1)", want: "vector(1)" },
  { name: "scalar literal", query: "1 + 2", want: "1 + 2" },
  {
    name: "absent() over a selector is scoped (no existence leak)",
    query: 'absent(nonexistent{job="x"})',
    want: `absent(nonexistent{job="x", ${S}})`,
  },
  {
    name: "absent_over_time over a range",
    query: "absent_over_time(up[1h])",
    want: `absent_over_time(up{${S}}[1h])`,
  },
  {
    name: "subquery",
    query: "max_over_time(rate(errors_total[5m])[1h:1m])",
    want: `max_over_time(rate(errors_total{${S}}[5m])[1h:1m])`,
  },
  {
    name: "nested subqueries",
    query: "max_over_time(deriv(rate(x[1m])[5m:1m])[1h:])",
    want: `max_over_time(deriv(rate(x{${S}}[1m])[5m:1m])[1h:])`,
  },
  {
    name: "offset modifier",
    query: "up offset 1w",
    want: `up{${S}} offset 1w`,
  },
  {
    name: "negative offset",
    query: "rate(up[5m] offset -1h)",
    want: `rate(up{${S}}[5m] offset -1h)`,
  },
  {
    name: "@ timestamp modifier",
    query: "up @ 1609746000",
    want: `up{${S}} @ 1609746000`,
  },
  {
    name: "@ start() and offset together",
    query: "rate(up[5m] @ start() offset 1h)",
    want: `rate(up{${S}}[5m] @ start() offset 1h)`,
  },
  {
    name: "@ end() on a subquery",
    query: "rate(x[5m])[1h:1m] @ end()",
    want: `rate(x{${S}}[5m])[1h:1m] @ end()`,
  },
  {
    name: "label_replace onto another label is fine",
    query: 'label_replace(up, "t", "$1", "tenant_id", "(.*)")',
    want: `label_replace(up{${S}}, "t", "$1", "tenant_id", "(.*)")`,
  },
  {
    name: "label_join onto another label is fine",
    query: 'label_join(up, "x", "-", "job", "instance")',
    want: `label_join(up{${S}}, "x", "-", "job", "instance")`,
  },
  {
    name: "count_values into another label",
    query: 'count_values("version", build_info)',
    want: `count_values("version", build_info{${S}})`,
  },
  {
    name: "topk with scalar parameter",
    query: "topk(3, sum by (job) (up))",
    want: `topk(3, sum by (job) (up{${S}}))`,
  },
  {
    name: "histogram_quantile",
    query: "histogram_quantile(0.9, sum by (le) (rate(d_bucket[5m])))",
    want: `histogram_quantile(0.9, sum by (le) (rate(d_bucket{${S}}[5m])))`,
  },
  {
    name: "comments are dropped",
    query: "up # a comment\n+ down",
    want: `up{${S}}  \n+ down{${S}}`,
  },
  {
    name: "comment inside label matchers cannot swallow the tenant matcher",
    query: 'up{job="a" # }\n}',
    want: `up{job="a", ${S}}`,
  },
  {
    name: "raw and single-quoted strings are re-encoded canonically",
    query: "up{job=`a\\d`, env='p\"q'}",
    want: `up{job="a\\\\d", env="p\\"q", ${S}}`,
  },
  {
    name: "escaped label value that spells another tenant is just a value",
    query: 'up{job="tenant\\x2db"}',
    want: `up{job="tenant-b", ${S}}`,
  },
  {
    name: "metric called tenant_id",
    query: "tenant_id",
    want: `tenant_id{${S}}`,
  },
  {
    name: "time() and scalar()",
    query: "time() - scalar(up)",
    want: `time() - scalar(up{${S}})`,
  },
];

const REFUSED: Refused[] = [
  { name: "empty query", query: "  ", reason: /empty/ },
  { name: "syntax error", query: "up{", reason: /syntax error at character/ },
  { name: "unknown function", query: "nosuchfn(up)", reason: /syntax error/ },
  { name: "unbalanced parenthesis", query: "sum(up", reason: /syntax error/ },
  { name: "another tenant with =", query: 'up{tenant_id="tenant-b"}', reason: /tenant_id/ },
  { name: "tenant_id with !=", query: `up{tenant_id!="${T}"}`, reason: /tenant_id!=/ },
  { name: "tenant_id with =~", query: 'up{tenant_id=~".+"}', reason: /tenant_id=~/ },
  { name: "tenant_id with !~", query: 'up{tenant_id!~"x"}', reason: /tenant_id!~/ },
  { name: "own tenant with =~", query: `up{tenant_id=~"${T}"}`, reason: /not allowed/ },
  {
    name: "own tenant plus another tenant in one selector",
    query: `up{tenant_id="${T}", tenant_id="tenant-b"}`,
    reason: /not allowed/,
  },
  {
    name: "label_replace with a computed destination",
    query: 'label_replace(up, up, "x", "", "")',
    reason: /must be a string literal/,
  },
  { name: "tenant_id set to empty", query: 'up{tenant_id=""}', reason: /not allowed/ },
  {
    name: "tenant_id only selector",
    query: '{tenant_id=~"tenant-.*"}',
    reason: /not allowed/,
  },
  {
    name: "tenant_id as a quoted label name",
    query: '{"tenant_id"="tenant-b", __name__="up"}',
    reason: /not allowed/,
  },
  {
    name: "tenant_id spelled with escapes in a quoted label name",
    query: '{"tenant\\x5fid"="tenant-b", __name__="up"}',
    reason: /not allowed/,
  },
  {
    name: "tenant_id spelled with a unicode escape",
    query: 'up{"tenant\\u005Fid"!="x"}',
    reason: /not allowed/,
  },
  {
    name: "tenant_id matcher hidden in the other side of or on()",
    query: 'up or on() up{tenant_id="tenant-b"}',
    reason: /not allowed/,
  },
  {
    name: "tenant_id matcher inside a subquery",
    query: 'max_over_time(up{tenant_id="tenant-b"}[1h:])',
    reason: /not allowed/,
  },
  {
    name: "tenant_id matcher with offset and @",
    query: 'up{tenant_id="tenant-b"} offset 1h @ 100',
    reason: /not allowed/,
  },
  {
    name: "tenant_id matcher inside absent()",
    query: 'absent(up{tenant_id="tenant-b"})',
    reason: /not allowed/,
  },
  {
    name: "label_replace writing tenant_id",
    query: 'label_replace(up, "tenant_id", "tenant-b", "", "")',
    reason: /label_replace\(\) may not write the tenant_id label/,
  },
  {
    name: "label_replace writing tenant_id through parentheses",
    query: 'label_replace(up, ("tenant_id"), "tenant-b", "", "")',
    reason: /may not write/,
  },
  {
    name: "label_replace writing an escaped tenant_id",
    query: 'label_replace(vector(1), "tenant\\x5fid", "tenant-b", "", "")',
    reason: /may not write/,
  },
  {
    name: "label_join writing tenant_id",
    query: 'label_join(up, "tenant_id", "", "job")',
    reason: /label_join\(\) may not write/,
  },
  {
    name: "count_values writing tenant_id",
    query: 'count_values("tenant_id", up)',
    reason: /count_values\(\) may not write/,
  },
  {
    name: "info() reads series the query does not select",
    query: 'info(up, {k8s_cluster_name=~".+"})',
    reason: /info\(\) is not allowed/,
  },
  { name: "unterminated string", query: 'up{job="a}', reason: /unterminated|syntax/ },
  {
    name: "unknown escape in a string",
    query: 'up{job="\\q"}',
    reason: /unknown escape/,
  },
  {
    name: "string with invalid UTF-8",
    query: 'up{job="\\xff"}',
    reason: /UTF-8/,
  },
  {
    name: "newline inside a string",
    query: 'up{job="a\nb"}',
    reason: /syntax error|newline|unterminated/,
  },
  {
    name: "too long",
    query: "up + ".repeat(5000) + "up",
    reason: /longer than/,
  },
];

for (const c of REWRITTEN) {
  Deno.test(`rewritePromQL() scopes: ${c.name}`, () => {
    const r = rewritePromQL(c.query, { tenantId: T });
    assert(r.ok, `refused: ${r.ok ? "" : r.reason}`);
    assert.deepStrictEqual(r.query, c.want);
    assertOnlyTenantSelectors(r.query, T);
  });
}

for (const c of REFUSED) {
  Deno.test(`rewritePromQL() refuses: ${c.name}`, () => {
    const r = rewritePromQL(c.query, { tenantId: T });
    assert(!r.ok, `accepted as ${r.ok ? r.query : ""}`);
    assert.match(r.reason, c.reason);
  });
}

Deno.test("rewritePromQL() output is a fixed point: rewriting it again changes nothing", () => {
  for (const c of REWRITTEN) {
    const once = rewritePromQL(c.query, { tenantId: T });
    assert(once.ok);
    const twice = rewritePromQL(once.query, { tenantId: T });
    assert(twice.ok, c.name);
    assert.deepStrictEqual(twice.query, once.query, c.name);
  }
});

Deno.test("rewritePromQL() scopes to the session tenant given, not to one named in the query", () => {
  const r = rewritePromQL("up", { tenantId: "tenant-b" });
  assert(r.ok);
  assert.deepStrictEqual(r.query, 'up{tenant_id="tenant-b"}');
  const a = rewritePromQL('up{tenant_id="tenant-b"}', { tenantId: "tenant-a" });
  assert(!a.ok);
});

Deno.test("rewritePromQL() rejects an invalid tenant id as a programming error", () => {
  assert.throws(() => rewritePromQL("up", { tenantId: 'x"}' }), TypeError);
});

/**
 * Independent check of an output: every vector selector in the lezer tree has exactly one
 * tenant matcher and it is `tenant_id="<tenant>"`.
 */
function assertOnlyTenantSelectors(q: string, tenant: string): void {
  const tree = parser.parse(q);
  tree.iterate({
    enter: (ref) => {
      assert(!ref.type.isError, `syntax error in output ${q}`);
      if (ref.name !== "VectorSelector") return true;
      const node = ref.node;
      const tenantMatchers: string[] = [];
      for (let c = node.getChild("LabelMatchers")?.firstChild ?? null; c; c = c.nextSibling) {
        const nameNode = c.getChild("LabelName") ?? c.getChild("QuotedLabelName");
        if (!nameNode || c.name === "QuotedLabelName") continue;
        const name = nameNode.name === "LabelName"
          ? q.slice(nameNode.from, nameNode.to)
          : decodeStringLiteral(q.slice(nameNode.from, nameNode.to));
        if (name === "tenant_id") tenantMatchers.push(q.slice(c.from, c.to));
      }
      assert.deepStrictEqual(tenantMatchers, [`tenant_id="${tenant}"`], `selector in ${q}`);
      return false;
    },
  });
}
