import type { components } from "./generated/openapi.ts";

/**
 * The API's error answer: RFC 9457 problem+json (`type`, `title`, `status`, `detail`, `errors[]`) plus the
 * problem's own members (`required`, `available`, `shortfall`, `reservationStatus`, ...). API Gateway's own
 * refusals (403 on a bad signature) are `{message}`; they are turned into the same shape.
 */
export type Problem = Pick<ServerProblem, "type" | "title" | "status" | "detail" | "errors"> &
  /** `instance`, the API's request id, is absent from the problems made of API Gateway's and the network's refusals. */
  Partial<Pick<ServerProblem, "instance">> &
  Record<string, unknown>;
type ServerProblem = components["schemas"]["Problem"];

/** The last path segment of a problem's `type` URI: `insufficient-balance`, `validation-error`, ... */
export function problemType(problem: Problem): string {
  return problem.type.slice(problem.type.lastIndexOf("/") + 1);
}

/** Any answer of the API that is not a success; `problem` is what the API sent. */
export class QuotaGuardError extends Error {
  override name = "QuotaGuardError";
  constructor(
    readonly status: number,
    readonly problem: Problem,
    options?: ErrorOptions,
  ) {
    super(problem.detail || problem.title, options);
  }
}

/** 400, 413, 415, 422: the request is wrong; `problem.errors[]` points at each bad field. Never retried. */
export class ValidationError extends QuotaGuardError {
  override name = "ValidationError";
}

/** 401, 403: the caller is not signed, signed wrongly, or not allowed (IAM). */
export class AuthorizationError extends QuotaGuardError {
  override name = "AuthorizationError";
}

/** 404: no such account or reservation (or route). */
export class NotFoundError extends QuotaGuardError {
  override name = "NotFoundError";
}

/**
 * 409 `insufficient-balance`: the hold does not fit. Amounts in `unit` (usd or credits): `required` is the
 * hold asked for, `available` what could be held (remaining − reserved − reserveFloor), `shortfall` the
 * difference.
 */
export class InsufficientBalanceError extends QuotaGuardError {
  override name = "InsufficientBalanceError";
  readonly required: number;
  readonly available: number;
  readonly shortfall: number;
  readonly unit: string | undefined;
  constructor(status: number, problem: Problem) {
    super(status, problem);
    this.required = Number(problem.required);
    this.available = Number(problem.available);
    this.shortfall = Number(problem.shortfall);
    this.unit = typeof problem.unit === "string" ? problem.unit : undefined;
  }
}

/**
 * Any other 409: `reservation-not-held` (with `reservationStatus`: committed, released, expired),
 * `balance-unknown` (nothing to hold against yet).
 */
export class ConflictError extends QuotaGuardError {
  override name = "ConflictError";
  /** The reservation's status, when the conflict is about one. */
  get reservationStatus(): string | undefined {
    const status = this.problem.reservationStatus;
    return typeof status === "string" ? status : undefined;
  }
}

/**
 * 429, 502, 503, 504: the service cannot answer now. `retryAfter` is the `Retry-After` header in seconds,
 * when the service sent one. Thrown after the client's own retries are used up.
 */
export class ServiceUnavailableError extends QuotaGuardError {
  override name = "ServiceUnavailableError";
  constructor(
    status: number,
    problem: Problem,
    readonly retryAfter: number | undefined,
    options?: ErrorOptions,
  ) {
    super(status, problem, options);
  }
}

/** The service could not be reached at all (connection refused, DNS, timeout); `status` is 0. */
export class UnreachableError extends ServiceUnavailableError {
  override name = "UnreachableError";
  constructor(url: string, cause: unknown) {
    const reason =
      cause instanceof Error ? ((cause.cause as Error | undefined)?.message ?? cause.message) : "";
    super(
      0,
      {
        type: "about:blank#unreachable",
        title: "Unreachable",
        status: 0,
        detail: `Quota Guard at ${url} could not be reached${reason ? `: ${reason}` : ""}.`,
      },
      undefined,
      { cause },
    );
  }
}

/** Seconds from a `Retry-After` header (delta-seconds or an HTTP date); undefined when absent or invalid. */
export function retryAfterSeconds(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === "") return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

function asProblem(status: number, body: unknown): Problem {
  if (typeof body === "object" && body !== null && "type" in body && "title" in body) {
    return body as Problem;
  }
  // API Gateway answers its own refusals with {"message": "..."}; anything else is kept as the detail.
  const message =
    typeof body === "object" && body !== null && "message" in body
      ? String((body as { message: unknown }).message)
      : typeof body === "string"
        ? body
        : JSON.stringify(body ?? "");
  return { type: "about:blank", title: message || `HTTP ${status}`, status, detail: message };
}

/** The typed error for a non-2xx answer. */
export function errorFromResponse(status: number, headers: Headers, body: unknown): QuotaGuardError {
  const problem = asProblem(status, body);
  if (status === 409 && problemType(problem) === "insufficient-balance") {
    return new InsufficientBalanceError(status, problem);
  }
  if (status === 409) return new ConflictError(status, problem);
  if (status === 401 || status === 403) return new AuthorizationError(status, problem);
  if (status === 404) return new NotFoundError(status, problem);
  if (status === 429 || status === 502 || status === 503 || status === 504) {
    return new ServiceUnavailableError(status, problem, retryAfterSeconds(headers.get("retry-after")));
  }
  if (status === 400 || status === 413 || status === 415 || status === 422) {
    return new ValidationError(status, problem);
  }
  return new QuotaGuardError(status, problem);
}
