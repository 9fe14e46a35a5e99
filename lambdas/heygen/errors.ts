export type HeyGenErrorCode =
  | "invalid_key"
  | "insufficient_credit"
  | "forbidden"
  | "not_found"
  | "rate_limited"
  | "endpoint_retired"
  | "unavailable"
  | "timeout"
  | "network"
  | "bad_response";

/** Statuses that are worth asking again on a GET (docs/heygen-facts.md#retries-and-rate-limits); every other status is final. */
const RETRYABLE_STATUSES = new Set([429, 500, 502, 503, 504]);

export interface HeyGenErrorDetails {
  status?: number;
  retryAfterMs?: number;
  attempts?: number;
}

/**
 * Why a balance could not be read. The message is written by this module from status codes, HeyGen's
 * error code and field paths, and is scrubbed of the API key before it leaves the client.
 */
export class HeyGenError extends Error {
  override readonly name = "HeyGenError";
  readonly code: HeyGenErrorCode;
  readonly status?: number;
  /** How long HeyGen asked us to wait (`Retry-After`), when it said so. */
  readonly retryAfterMs?: number;
  /** HTTP requests made by the call that failed (0 when it failed before sending any). */
  readonly attempts: number;

  constructor(code: HeyGenErrorCode, message: string, details: HeyGenErrorDetails = {}) {
    super(message);
    this.code = code;
    if (details.status !== undefined) this.status = details.status;
    if (details.retryAfterMs !== undefined) this.retryAfterMs = details.retryAfterMs;
    this.attempts = details.attempts ?? 0;
  }

  /** Timeouts, connection failures, 429 and 500/502/503/504 may succeed if asked again. */
  get retryable(): boolean {
    if (this.code === "timeout" || this.code === "network") return true;
    return this.status !== undefined && RETRYABLE_STATUSES.has(this.status);
  }

  /** The same error, counted against the whole call and with `secret` blanked out of the message. */
  finalise(attempts: number, secret: string): HeyGenError {
    return new HeyGenError(this.code, redact(this.message, secret), {
      ...(this.status !== undefined ? { status: this.status } : {}),
      ...(this.retryAfterMs !== undefined ? { retryAfterMs: this.retryAfterMs } : {}),
      attempts,
    });
  }
}

export function redact(text: string, secret: string): string {
  return secret ? text.split(secret).join("[redacted]") : text;
}

/**
 * HeyGen's own error codes (v3 strings, v1/v2 numbers) that say more than the status does, e.g. the legacy
 * endpoints answering an invalid key with HTTP 200 and code 40009. Codes are matched, never words in
 * messages (docs/heygen-facts.md#errors).
 */
const ERROR_CODES: ReadonlyMap<string, HeyGenErrorCode> = new Map([
  ["insufficient_credit", "insufficient_credit"],
  ["MOVIO_PAYMENT_INSUFFICIENT_CREDIT", "insufficient_credit"],
  ["forbidden", "forbidden"],
  ["not_found", "not_found"],
  ["rate_limit_exceeded", "rate_limited"],
  ["quota_exceeded", "rate_limited"],
]);

/**
 * The authentication family, on any HTTP status (a legacy endpoint may answer it with 200):
 * - v3 string codes: `unauthorized` (developers.heygen.com errors), `invalid_api_key`, `authentication_failed`,
 *   `invalid_token`, `api_key_expired`, `api_key_revoked`;
 * - v1/v2 numeric codes seen in the field: 40009 "invalid credentials" (HeyGen's v1/v2 docs), 400112
 *   "Unauthorized" (field case F6), and every code of the 401 family (`401`, `401xx`, `401xxx`), which is how
 *   the legacy envelope numbers its status-derived codes.
 */
const AUTH_STRING_CODES = new Set([
  "unauthorized",
  "invalid_api_key",
  "authentication_failed",
  "invalid_token",
  "api_key_expired",
  "api_key_revoked",
]);
const AUTH_NUMERIC_CODES = new Set(["40009", "400112"]);

export function isAuthenticationCode(code: string): boolean {
  return AUTH_STRING_CODES.has(code) || AUTH_NUMERIC_CODES.has(code) || /^401\d{0,3}$/.test(code);
}

/**
 * Codes saying the endpoint was retired (v1/v2 end of life, announced for 2026-11-01, docs/heygen-facts.md#api-versions-and-retirement). HeyGen has
 * not published the code it will send, so these are the spellings its envelopes and common gateways use; a
 * 410 means retired whatever its body says.
 */
const RETIRED_CODES = new Set([
  "endpoint_retired",
  "endpoint_deprecated",
  "api_deprecated",
  "api_version_retired",
  "version_retired",
  "gone",
]);

const STATUS_CODES: ReadonlyMap<number, HeyGenErrorCode> = new Map([
  [401, "invalid_key"],
  [402, "insufficient_credit"],
  [403, "forbidden"],
  [404, "not_found"],
  [410, "endpoint_retired"],
]);

/**
 * Status 429 and 5xx win over the body (they decide retrying); then an authentication code on any status
 * (`invalid_key`), a 410 or a 404 whose code says retired (`endpoint_retired`), another known HeyGen code, and
 * last the status. Anything else (an unknown code on a 2xx, a 400, a redirect) means we cannot read this
 * answer: `bad_response`.
 */
export function classifyFailure(status: number, reportedCode: string | undefined): HeyGenErrorCode {
  if (status === 429) return "rate_limited";
  if (status >= 500) return "unavailable";
  if (reportedCode !== undefined && isAuthenticationCode(reportedCode)) return "invalid_key";
  if (status === 410 || (reportedCode !== undefined && RETIRED_CODES.has(reportedCode))) {
    return "endpoint_retired";
  }
  const byCode = reportedCode === undefined ? undefined : ERROR_CODES.get(reportedCode);
  return byCode ?? STATUS_CODES.get(status) ?? "bad_response";
}
