import type { FaultOptions, SandboxFault } from "#local/heygen-sandbox";

/**
 * An overdrawn (negative) balance is no fault since issue 10: it is a reading (level exhausted), tested with
 * the field cases (test/e2e/field-cases.test.ts).
 *
 * The HeyGen fault matrix (issue 7, docs/heygen-facts.md): each row is one fault the poller meets, and what must
 * follow. The test (heygen-faults.test.ts) runs every row through the poller against the sandbox;
 * docs/reliability.md shows the same rows.
 */
export interface FaultRow {
  /** The row's label in the table. */
  fault: string;
  /** What the sandbox does; `connection_refused` points the poller at a port nothing listens on. */
  inject: SandboxFault | "connection_refused";
  options?: FaultOptions;
  apiVersion: "auto" | "v3" | "v2";
  expect: {
    outcome: "recorded" | "failed";
    /** The poll's error code when it failed (HeyGenErrorCode). */
    code?: string;
    /** HTTP requests the poll made to HeyGen (first try, retries and the v2 fallback). */
    requests: number;
    /** The endpoint a recorded snapshot came from. */
    source?: "v3" | "v2";
    /** HeyGen asked to wait past the next reading: that one makes no call and counts no failure. */
    nextReadingDeferred?: boolean;
  };
}

/** Client defaults (lambdas/heygen/client.ts): 3 attempts per endpoint. */
const ATTEMPTS = 3;

export const FAULT_ROWS: readonly FaultRow[] = [
  {
    fault: "401 unauthorized (v3)",
    inject: "unauthorized",
    apiVersion: "auto",
    expect: { outcome: "failed", code: "invalid_key", requests: 1 },
  },
  {
    fault: "401 as HTTP 200 + code 40009 (v2)",
    inject: "unauthorized",
    apiVersion: "v2",
    expect: { outcome: "failed", code: "invalid_key", requests: 1 },
  },
  {
    fault: "402 insufficient_credit",
    inject: "insufficient_credit",
    apiVersion: "auto",
    expect: { outcome: "failed", code: "insufficient_credit", requests: 1 },
  },
  {
    fault: "403 forbidden",
    inject: "forbidden",
    apiVersion: "auto",
    expect: { outcome: "failed", code: "forbidden", requests: 1 },
  },
  {
    fault: "404 on v3, apiVersion auto (falls back to v2)",
    inject: "not_found_v3",
    apiVersion: "auto",
    expect: { outcome: "recorded", requests: 2, source: "v2" },
  },
  {
    fault: "404 on v3, apiVersion v3 (no fallback)",
    inject: "not_found_v3",
    apiVersion: "v3",
    expect: { outcome: "failed", code: "not_found", requests: 1 },
  },
  {
    fault: "429 with Retry-After: 1, persistent",
    inject: "rate_limited",
    options: { retryAfterSeconds: 1 },
    apiVersion: "auto",
    expect: { outcome: "failed", code: "rate_limited", requests: ATTEMPTS },
  },
  {
    fault: "429 with Retry-After: 1, once",
    inject: "rate_limited",
    options: { retryAfterSeconds: 1, times: 1 },
    apiVersion: "auto",
    expect: { outcome: "recorded", requests: 2, source: "v3" },
  },
  {
    fault: "429 with Retry-After: 60 (longer than the client may wait)",
    inject: "rate_limited",
    options: { retryAfterSeconds: 60 },
    apiVersion: "auto",
    expect: { outcome: "failed", code: "rate_limited", requests: 1, nextReadingDeferred: true },
  },
  {
    fault: "429 without Retry-After",
    inject: "rate_limited_no_retry_after",
    apiVersion: "auto",
    expect: { outcome: "failed", code: "rate_limited", requests: ATTEMPTS },
  },
  {
    fault: "500 internal error",
    inject: "server_error",
    apiVersion: "auto",
    expect: { outcome: "failed", code: "unavailable", requests: ATTEMPTS },
  },
  {
    fault: "500 twice, then OK",
    inject: "server_error",
    options: { times: 2 },
    apiVersion: "auto",
    expect: { outcome: "recorded", requests: 3, source: "v3" },
  },
  {
    fault: "502 bad gateway (HTML body)",
    inject: "bad_gateway",
    apiVersion: "auto",
    expect: { outcome: "failed", code: "unavailable", requests: ATTEMPTS },
  },
  {
    fault: "503 unavailable",
    inject: "unavailable",
    apiVersion: "auto",
    expect: { outcome: "failed", code: "unavailable", requests: ATTEMPTS },
  },
  {
    fault: "504 gateway timeout (HTML body)",
    inject: "gateway_timeout",
    apiVersion: "auto",
    expect: { outcome: "failed", code: "unavailable", requests: ATTEMPTS },
  },
  {
    fault: "connection refused",
    inject: "connection_refused",
    apiVersion: "auto",
    expect: { outcome: "failed", code: "network", requests: ATTEMPTS },
  },
  {
    fault: "connection reset mid-body",
    inject: "reset_mid_body",
    apiVersion: "auto",
    expect: { outcome: "failed", code: "network", requests: ATTEMPTS },
  },
  {
    fault: "slower than the timeout",
    inject: "slow",
    options: { delayMs: 2_000 },
    apiVersion: "auto",
    expect: { outcome: "failed", code: "timeout", requests: ATTEMPTS },
  },
  {
    fault: "malformed JSON (HTTP 200)",
    inject: "malformed_json",
    apiVersion: "auto",
    expect: { outcome: "failed", code: "bad_response", requests: 1 },
  },
  {
    fault: "valid JSON of the wrong shape (v3)",
    inject: "wrong_shape",
    apiVersion: "auto",
    expect: { outcome: "failed", code: "bad_response", requests: 1 },
  },
  {
    fault: "valid JSON of the wrong shape (v2)",
    inject: "wrong_shape",
    apiVersion: "v2",
    expect: { outcome: "failed", code: "bad_response", requests: 1 },
  },
  {
    fault: "NaN balance (bare NaN token)",
    inject: "nan_balance",
    apiVersion: "auto",
    expect: { outcome: "failed", code: "bad_response", requests: 1 },
  },
  {
    fault: 'string balance ("120.00")',
    inject: "string_balance",
    apiVersion: "auto",
    expect: { outcome: "failed", code: "bad_response", requests: 1 },
  },
  {
    fault: "empty details {} (v2)",
    inject: "empty_details",
    apiVersion: "v2",
    expect: { outcome: "recorded", requests: 1, source: "v2" },
  },
];

/** A config-safe account id for a row. */
export function accountIdFor(index: number): string {
  return `fault-${String(index).padStart(2, "0")}`;
}
