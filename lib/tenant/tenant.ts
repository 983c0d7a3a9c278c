/**
 * The tenant as the services see it (no secrets).
 * @module
 */

/** Per-tenant rate limits; absent means "use the service default". */
export interface TenantLimits {
  /** Requests per second. */
  requestsPerSecond?: number;
  /** Request body bytes (as received) per second. */
  bytesPerSecond?: number;
}

/** A tenant as returned by the registry. */
export interface Tenant {
  /** Tenant id, `^[a-z0-9][a-z0-9-]{0,62}$`. */
  id: string;
  /** Stable numeric id for stores that need one (e.g. VictoriaLogs AccountID). */
  numericId: number;
  /** Display name. */
  name: string;
  /** Disabled tenants cannot authenticate. */
  enabled: boolean;
  /** Rate limits. */
  limits: TenantLimits;
}
