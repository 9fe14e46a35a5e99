export type HeyGenErrorCode =
  | "invalid_key"
  | "insufficient_credit"
  | "forbidden"
  | "not_found"
  | "rate_limited"
  | "unavailable"
  | "timeout"
  | "network"
  | "bad_response";

/** Statuses that are worth asking again on a GET (design §2.6); every other status is final. */
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
 * endpoints answering an invalid key with HTTP 200 and code 40009.
 */
const ERROR_CODES: ReadonlyMap<string, HeyGenErrorCode> = new Map([
  ["unauthorized", "invalid_key"],
  ["invalid_api_key", "invalid_key"],
  ["40009", "invalid_key"],
  ["insufficient_credit", "insufficient_credit"],
  ["MOVIO_PAYMENT_INSUFFICIENT_CREDIT", "insufficient_credit"],
  ["forbidden", "forbidden"],
  ["not_found", "not_found"],
  ["rate_limit_exceeded", "rate_limited"],
  ["quota_exceeded", "rate_limited"],
]);

const STATUS_CODES: ReadonlyMap<number, HeyGenErrorCode> = new Map([
  [401, "invalid_key"],
  [402, "insufficient_credit"],
  [403, "forbidden"],
  [404, "not_found"],
]);

/**
 * Status 429 and 5xx win over the body (they decide retrying); otherwise a known HeyGen code wins, then
 * the status. Anything else (an unknown code on a 2xx, a 400, a redirect) means we cannot read this
 * answer: `bad_response`.
 */
export function classifyFailure(status: number, reportedCode: string | undefined): HeyGenErrorCode {
  if (status === 429) return "rate_limited";
  if (status >= 500) return "unavailable";
  const byCode = reportedCode === undefined ? undefined : ERROR_CODES.get(reportedCode);
  return byCode ?? STATUS_CODES.get(status) ?? "bad_response";
}
