/**
 * The lease settings of a master that shares its store with other masters
 * (X3), their defaults and their checks ("field: Expected X, got Y").
 */
import { ValidationError } from "../errors/validation-error.ts";
import { expectInt } from "../errors/validate.ts";

/** Lease timing of a shared master; every field is optional. */
export interface LeaseOptions {
  /**
   * How long an instance stays this master's without a renewal. A master
   * that dies (or pauses) loses its instances to another master this long
   * after its last renewal, at most. @default 10000
   */
  leaseMs?: number;
  /** How often the leases of the instances it runs are renewed; below leaseMs. @default a third of leaseMs */
  renewMs?: number;
  /** How often it looks for instances whose lease ran out, to take them over. @default renewMs */
  takeoverMs?: number;
}

/** Lease settings with every default filled in and every value checked. */
export interface LeaseSettings {
  leaseMs: number;
  renewMs: number;
  takeoverMs: number;
}

/** The defaults: a lease of 10 s renewed every 3.3 s. */
export const DEFAULT_LEASE_MS = 10_000;

/**
 * Fills in defaults and checks lease options; `true` takes every default.
 * @example resolveLeaseSettings({ leaseMs: 3000 }) // { leaseMs: 3000, renewMs: 1000, takeoverMs: 1000 }
 */
export function resolveLeaseSettings(o: LeaseOptions | true, field = "shared"): LeaseSettings {
  if (o === true) o = {};
  if (typeof o !== "object" || o === null || Array.isArray(o)) throw new ValidationError(field, "true or an object { leaseMs, renewMs, takeoverMs }", o);
  for (const key of Object.keys(o)) {
    if (key !== "leaseMs" && key !== "renewMs" && key !== "takeoverMs") throw new ValidationError(`${field}.${key}`, "no such setting (leaseMs, renewMs, takeoverMs)", (o as Record<string, unknown>)[key]);
  }
  // Under 30 ms a lease cannot outlive one store round trip plus a timer's lateness.
  const leaseMs = expectInt(`${field}.leaseMs`, o.leaseMs ?? DEFAULT_LEASE_MS, 30);
  const renewMs = expectInt(`${field}.renewMs`, o.renewMs ?? Math.floor(leaseMs / 3), 1, leaseMs - 1);
  const takeoverMs = expectInt(`${field}.takeoverMs`, o.takeoverMs ?? renewMs, 1);
  return { leaseMs, renewMs, takeoverMs };
}
