/**
 * The public write routes of ingest, declared once. Kong's configuration and its tests are
 * checked against this table, so a path added here without a route there fails the build.
 *
 * @module
 */
import type { Signal } from "../lib/codec/mod.ts";

/** A public route: path, allowed methods, and what it carries. */
export interface PublicRoute {
  readonly path: string;
  readonly methods: readonly string[];
  readonly kind: "otlp" | "remote_write";
  readonly signal: Signal;
}

/** Every path a customer may reach through the public endpoint. */
export const PUBLIC_ROUTES: readonly PublicRoute[] = [
  { path: "/v1/logs", methods: ["POST"], kind: "otlp", signal: "logs" },
  { path: "/v1/metrics", methods: ["POST"], kind: "otlp", signal: "metrics" },
  { path: "/v1/traces", methods: ["POST"], kind: "otlp", signal: "traces" },
  // Prometheus remote write; `/api/v1/push` is the name Mimir and Cortex use.
  { path: "/api/v1/write", methods: ["POST"], kind: "remote_write", signal: "metrics" },
  { path: "/api/v1/push", methods: ["POST"], kind: "remote_write", signal: "metrics" },
];

/** Operator endpoints: never routed through the public proxy. */
export const ADMIN_PATHS: readonly string[] = ["/healthz", "/readyz", "/metrics"];
