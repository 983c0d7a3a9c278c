/**
 * PromQL tenant scoping for the console.
 * @module
 */
export { MAX_QUERY_LENGTH, rewritePromQL, TENANT_LABEL } from "./rewrite.ts";
export type { RewriteOptions, RewriteResult } from "./rewrite.ts";
export { decodeStringLiteral, quotePromQLString, StringLiteralError } from "./string_literal.ts";
