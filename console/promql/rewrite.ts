/**
 * The PromQL tenant rewriter: the console's security boundary for metrics.
 *
 * Every vector selector in a query is rewritten to carry `tenant_id="<tenant>"` (the label the
 * forwarder stamps on every series), using the `@prometheus-io/lezer-promql` grammar — the
 * parser Prometheus' own UI uses. What cannot be scoped safely is refused with a reason:
 * syntax errors, matchers that name `tenant_id` themselves (other than the caller's own tenant
 * with `=`), `info()` (it reads `target_info` series the query does not select), and
 * `label_replace`/`label_join`/`count_values` writing into `tenant_id` (forging the label).
 *
 * Why rebuild rather than splice: the text Prometheus parses must be exactly what this parser
 * understood. So every selector is re-emitted from its decoded parts, every string literal is
 * re-encoded canonically, comments are dropped, and the output is parsed again and checked
 * before it is returned.
 *
 * @module
 */
import { parser } from "@prometheus-io/lezer-promql";
import type { SyntaxNode, Tree } from "@lezer/common";
import { decodeStringLiteral, quotePromQLString, StringLiteralError } from "./string_literal.ts";

/** The label the forwarder puts on every tenant series. */
export const TENANT_LABEL = "tenant_id";

/** Longest query accepted, in characters; longer ones are refused before parsing. */
export const MAX_QUERY_LENGTH = 16_384;

const TENANT_ID_RE = /^[a-z0-9][a-z0-9-]{0,62}$/;
const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const METRIC_NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const MATCH_OPS = new Set(["=", "!=", "=~", "!~"]);

/** Options of {@linkcode rewritePromQL}. */
export interface RewriteOptions {
  /** The session's tenant id (never taken from the request). */
  tenantId: string;
  /** Label carrying the tenant; defaults to {@linkcode TENANT_LABEL}. */
  tenantLabel?: string;
  /** Maximum query length; defaults to {@linkcode MAX_QUERY_LENGTH}. */
  maxLength?: number;
}

/** Outcome of {@linkcode rewritePromQL}: the scoped query, or why it was refused. */
export type RewriteResult =
  | { ok: true; query: string }
  | { ok: false; reason: string };

/** Internal: a refusal raised while walking the tree. */
class Refusal extends Error {}

interface Edit {
  from: number;
  to: number;
  text: string;
}

/**
 * Rewrites a PromQL expression so that it can only see the tenant's series, or refuses it.
 *
 * @example
 * ```ts
 * rewritePromQL('sum(rate(http_requests_total{job="api"}[5m]))', { tenantId: "acme" });
 * // { ok: true, query: 'sum(rate(http_requests_total{job="api", tenant_id="acme"}[5m]))' }
 * rewritePromQL('up{tenant_id!="acme"}', { tenantId: "acme" });
 * // { ok: false, reason: "label matchers on tenant_id are not allowed: …" }
 * ```
 */
export function rewritePromQL(query: string, options: RewriteOptions): RewriteResult {
  const tenantId = options.tenantId;
  const label = options.tenantLabel ?? TENANT_LABEL;
  const maxLength = options.maxLength ?? MAX_QUERY_LENGTH;
  // A bad tenant id or label is a programming error, not a user error: throw.
  if (!TENANT_ID_RE.test(tenantId)) throw new TypeError(`invalid tenant id ${tenantId}`);
  if (!LABEL_NAME_RE.test(label)) throw new TypeError(`invalid tenant label ${label}`);

  if (query.trim() === "") return refuse("the query is empty");
  if (query.length > maxLength) {
    return refuse(`the query is longer than ${maxLength} characters`);
  }
  try {
    const tree = parser.parse(query);
    assertNoSyntaxError(tree, query);
    const edits: Edit[] = [];
    tree.iterate({
      enter: (ref) => {
        const node = ref.node;
        switch (node.name) {
          case "LineComment":
            edits.push({ from: node.from, to: node.to, text: " " });
            return false;
          case "VectorSelector":
            edits.push({
              from: node.from,
              to: node.to,
              text: scopedSelector(node, query, tenantId, label),
            });
            return false;
          case "FunctionCall":
            checkFunctionCall(node, query, label);
            return true;
          case "AggregateExpr":
            checkAggregate(node, query, label);
            return true;
          case "StringLiteral":
            edits.push({ from: node.from, to: node.to, text: canonicalString(node, query) });
            return false;
          default:
            return true;
        }
      },
    });
    const out = applyEdits(query, edits);
    verifyScoped(out, tenantId, label);
    return { ok: true, query: out };
  } catch (err) {
    if (err instanceof Refusal) return refuse(err.message);
    throw err;
  }
}

function refuse(reason: string): RewriteResult {
  return { ok: false, reason };
}

function assertNoSyntaxError(tree: Tree, query: string): void {
  let at = -1;
  tree.iterate({
    enter: (ref) => {
      if (at >= 0) return false;
      if (ref.type.isError) at = ref.from;
      return true;
    },
  });
  if (at >= 0) {
    const near = query.slice(at, at + 20);
    throw new Refusal(
      `syntax error at character ${at + 1}${near ? ` near ${JSON.stringify(near)}` : ""}`,
    );
  }
}

function text(node: SyntaxNode, query: string): string {
  return query.slice(node.from, node.to);
}

function canonicalString(node: SyntaxNode, query: string): string {
  return quotePromQLString(decodeString(node, query));
}

function decodeString(node: SyntaxNode, query: string): string {
  try {
    return decodeStringLiteral(text(node, query));
  } catch (err) {
    if (err instanceof StringLiteralError) {
      throw new Refusal(`${err.message} at character ${node.from + 1}`);
    }
    throw err;
  }
}

function labelNameText(name: string): string {
  return LABEL_NAME_RE.test(name) ? name : quotePromQLString(name);
}

/** Re-emits a vector selector with the tenant matcher added and the matchers canonicalised. */
function scopedSelector(node: SyntaxNode, query: string, tenantId: string, label: string): string {
  const ident = node.getChild("Identifier");
  const matchersNode = node.getChild("LabelMatchers");
  const parts: string[] = [];
  if (matchersNode) {
    for (let c = matchersNode.firstChild; c; c = c.nextSibling) {
      if (c.name === "LineComment") continue;
      const m = decodeMatcher(c, query);
      if (m.name === label) {
        if (m.op === "=" && m.value === tenantId) continue; // redundant: added below anyway
        throw new Refusal(
          `label matchers on ${label} are not allowed: the console scopes every selector to ` +
            `your tenant (found ${label}${m.op}${quotePromQLString(m.value)})`,
        );
      }
      parts.push(`${labelNameText(m.name)}${m.op}${quotePromQLString(m.value)}`);
    }
  }
  parts.push(`${label}=${quotePromQLString(tenantId)}`);
  let name = "";
  if (ident) {
    name = text(ident, query);
    if (!METRIC_NAME_RE.test(name)) throw new Refusal(`invalid metric name ${name}`);
  }
  return `${name}{${parts.join(", ")}}`;
}

interface Matcher {
  name: string;
  op: string;
  value: string;
}

function decodeMatcher(node: SyntaxNode, query: string): Matcher {
  if (node.name === "QuotedLabelName") {
    // `{"metric.name"}`: the metric name written as a bare quoted string.
    const lit = node.getChild("StringLiteral");
    if (!lit) throw new Refusal("malformed quoted metric name");
    return { name: "__name__", op: "=", value: decodeString(lit, query) };
  }
  let name: string;
  if (node.name === "UnquotedLabelMatcher") {
    const n = node.getChild("LabelName");
    if (!n) throw new Refusal("malformed label matcher");
    name = text(n, query);
  } else if (node.name === "QuotedLabelMatcher") {
    const lit = node.getChild("QuotedLabelName")?.getChild("StringLiteral");
    if (!lit) throw new Refusal("malformed label matcher");
    name = decodeString(lit, query);
  } else {
    throw new Refusal(`unexpected ${node.name} in label matchers`);
  }
  const opNode = node.getChild("MatchOp");
  const valueNode = node.getChild("StringLiteral");
  if (!opNode || !valueNode) throw new Refusal("malformed label matcher");
  const op = text(opNode, query);
  if (!MATCH_OPS.has(op)) throw new Refusal(`unknown match operator ${op}`);
  if (name === "") throw new Refusal("empty label name in matcher");
  return { name, op, value: decodeString(valueNode, query) };
}

/** Expression children of a call body (`(a, b, c)`), comments skipped. */
function callArgs(body: SyntaxNode | null): SyntaxNode[] {
  const args: SyntaxNode[] = [];
  for (let c = body?.firstChild ?? null; c; c = c.nextSibling) {
    if (c.name !== "LineComment") args.push(c);
  }
  return args;
}

/** A string argument as Prometheus evaluates it: parentheses are unwrapped. */
function literalArg(arg: SyntaxNode | undefined, query: string, what: string): string {
  let n: SyntaxNode | null = arg ?? null;
  while (n && n.name === "ParenExpr") {
    n = callArgs(n)[0] ?? null;
  }
  if (!n || n.name !== "StringLiteral") throw new Refusal(`${what} must be a string literal`);
  return decodeString(n, query);
}

function checkFunctionCall(node: SyntaxNode, query: string, label: string): void {
  const fn = node.getChild("FunctionIdentifier")?.firstChild?.name;
  const args = callArgs(node.getChild("FunctionCallBody"));
  if (fn === "Info") {
    throw new Refusal(
      "info() is not allowed: it reads target_info series that the query does not select, " +
        "which cannot be scoped to your tenant",
    );
  }
  if (fn === "LabelReplace" || fn === "LabelJoin") {
    const fname = fn === "LabelReplace" ? "label_replace" : "label_join";
    const dst = literalArg(args[1], query, `the destination label of ${fname}()`);
    if (dst === label) {
      throw new Refusal(`${fname}() may not write the ${label} label`);
    }
  }
}

function checkAggregate(node: SyntaxNode, query: string, label: string): void {
  const op = node.getChild("AggregateOp")?.firstChild?.name;
  if (op !== "CountValues") return;
  const args = callArgs(node.getChild("FunctionCallBody"));
  const dst = literalArg(args[0], query, "the label of count_values()");
  if (dst === label) throw new Refusal(`count_values() may not write the ${label} label`);
}

function applyEdits(query: string, edits: Edit[]): string {
  edits.sort((a, b) => a.from - b.from);
  let out = "";
  let pos = 0;
  for (const e of edits) {
    if (e.from < pos) throw new Error("overlapping PromQL edits"); // a bug, not user input
    out += query.slice(pos, e.from) + e.text;
    pos = e.to;
  }
  return out + query.slice(pos);
}

/**
 * Defence in depth: parse the rewritten query again and check that every selector carries the
 * tenant matcher exactly once, with nothing else naming the tenant label and no comments left.
 */
function verifyScoped(out: string, tenantId: string, label: string): void {
  const tree = parser.parse(out);
  assertNoSyntaxError(tree, out);
  const expected = `${label}=${quotePromQLString(tenantId)}`;
  tree.iterate({
    enter: (ref) => {
      const node = ref.node;
      if (node.name === "LineComment") throw new Refusal("the query could not be scoped");
      if (node.name !== "VectorSelector") return true;
      const ms = node.getChild("LabelMatchers");
      let own = 0;
      for (let c = ms?.firstChild ?? null; c; c = c.nextSibling) {
        const m = decodeMatcher(c, out);
        if (m.name !== label) continue;
        if (`${label}${m.op}${quotePromQLString(m.value)}` !== expected) own = -Infinity;
        own++;
      }
      if (own !== 1) throw new Refusal("the query could not be scoped to your tenant");
      return false;
    },
  });
}
