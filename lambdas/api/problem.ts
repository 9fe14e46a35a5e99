import type * as z from "#core/zod";
import { pointedIssues } from "#core/zod-issues";
import type { ConflictingReservation, FieldIssue } from "#service/errors";
import { PROBLEM_TYPES, type ProblemType } from "./problem-types.ts";

/** One invalid field of a request, located by a JSON pointer (RFC 6901) into the body or a parameter. */
export type FieldError = FieldIssue;

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

/** Where a problem is answered: the API's origin (for the `type` URI) and the request id (`instance`). */
export interface ProblemContext {
  /** `https://<api domain>`: `type` is `<origin>/problems/<type>`, served by GET /problems/{type}. */
  origin: string;
  requestId: string;
}

/**
 * The context of an API Gateway (payload 2.0) event: the origin API Gateway forwards (Host and
 * X-Forwarded-Proto, as the router builds its request URL), and API Gateway's request id.
 */
export function problemContextOf(event: {
  headers?: Record<string, string | undefined>;
  requestContext: { domainName: string; requestId: string };
}): ProblemContext {
  const host = event.headers?.host ?? event.requestContext.domainName;
  // API Gateway sends https; the local adapter http. Nothing else can make a `type` URI.
  const protocol = event.headers?.["x-forwarded-proto"] === "http" ? "http" : "https";
  const origin = URL.canParse(`${protocol}://${host}`)
    ? new URL(`${protocol}://${host}`).origin
    : "https://localhost";
  return { origin, requestId: event.requestContext.requestId };
}

/**
 * An RFC 9457 problem of one of PROBLEM_TYPES. Thrown by the API layer (or made from a use-case error by
 * errors.ts) and answered as `application/problem+json`; `extensions` carry problem-specific members
 * (`required`, `available`, ...).
 */
export class Problem extends Error {
  override readonly name = "Problem";
  readonly status: number;
  readonly title: string;
  constructor(
    readonly type: ProblemType,
    readonly detail: string,
    readonly errors: FieldError[] = [],
    readonly extensions: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.status = PROBLEM_TYPES[type].status;
    this.title = PROBLEM_TYPES[type].title;
  }

  body(context: ProblemContext) {
    // Extensions first, so that none can overwrite a member RFC 9457 defines (a `status` extension once did).
    return {
      ...this.extensions,
      type: `${context.origin}/problems/${this.type}`,
      title: this.title,
      status: this.status,
      detail: this.detail,
      instance: context.requestId,
      ...(this.errors.length ? { errors: this.errors } : {}),
    };
  }

  toResponse(context: ProblemContext): Response {
    return new Response(JSON.stringify(this.body(context)), {
      status: this.status,
      headers: { "content-type": PROBLEM_CONTENT_TYPE, ...this.headers },
    });
  }
}

export const problems = {
  /** Says nothing of why: a forger learns nothing from the answer. */
  unauthorized: () => new Problem("unauthorized", "The request is not authenticated."),
  /** Says why, unlike `unauthorized`: an unsigned delivery is a set-up mistake, not a forgery to keep guessing. */
  unsignedDelivery: () =>
    new Problem(
      "unsigned-delivery",
      "The delivery is unsigned (no Signature or Heygen-Signature header), so nothing was done. HeyGen does " +
        "not sign deliveries to a job's callback_url: register this URL as a HeyGen webhook endpoint with a " +
        "secret (POST /v3/webhooks/endpoints) and do not set callback_url to the guard.",
    ),
  validation: (errors: FieldError[], where = "request") =>
    new Problem(
      "validation-error",
      `The ${where} is invalid: ${errors.map((e) => `${e.pointer || "/"} ${e.detail}`).join("; ")}`,
      errors,
    ),
  malformedJson: (detail: string) =>
    new Problem("malformed-json", `The body is not valid JSON: ${detail}`, [
      { pointer: "", detail: "must be a JSON document" },
    ]),
  unsupportedMediaType: (got: string) =>
    new Problem("unsupported-media-type", `Send application/json, not "${got}".`, [
      { pointer: "/headers/content-type", detail: "must be application/json" },
    ]),
  tooLarge: (limit: number) => new Problem("payload-too-large", `The body is larger than ${limit} bytes.`),
  notFound: (what: string, id: string, pointer: string) =>
    new Problem("not-found", `No ${what} "${id}".`, [{ pointer, detail: `unknown ${what}` }]),
  routeNotFound: (method: string, path: string) =>
    new Problem("not-found", `No route for ${method} ${path}.`),
  /** `allowed`: the methods the path is served with, for the `Allow` header (RFC 9110 §15.5.6). */
  methodNotAllowed: (method: string, path: string, allowed: readonly string[] = []) =>
    new Problem(
      "method-not-allowed",
      `${method} is not allowed on ${path}${allowed.length ? `; use ${allowed.join(" or ")}` : ""}.`,
      [],
      {},
      allowed.length ? { allow: allowed.join(", ") } : {},
    ),
  unprocessable: (errors: FieldError[], detail: string) => new Problem("unprocessable", detail, errors),

  insufficientBalance: (s: { required: number; available: number; shortfall: number; unit: string }) =>
    new Problem(
      "insufficient-balance",
      `The hold needs ${s.required} ${s.unit} but only ${s.available} ${s.unit} is available.`,
      [],
      { required: s.required, available: s.available, shortfall: s.shortfall, unit: s.unit },
    ),
  /** A commit past the hold plus what is available; names the amounts and how to force it. */
  commitExceedsAvailable: (e: {
    held: number;
    available: number;
    asked: number;
    allowed: number;
    unit: string;
    field: string;
  }) =>
    new Problem(
      "commit-exceeds-available",
      `The commit asks ${e.asked} ${e.unit} but at most ${e.allowed} ${e.unit} may be recorded (held ${e.held}, ` +
        `available ${e.available}); nothing was changed. If HeyGen really charged it, send it again with force: true.`,
      [{ pointer: `/${e.field}`, detail: `is more than the ${e.allowed} ${e.unit} allowed` }],
      { held: e.held, available: e.available, asked: e.asked, allowed: e.allowed, unit: e.unit },
    ),
  /** The request cannot apply to the reservation as recorded; names its state and amounts. */
  reservationConflict: (detail: string, r: ConflictingReservation) =>
    new Problem("reservation-conflict", detail, [], {
      reservationStatus: r.status,
      amount: r.amount,
      committedAmount: r.committedAmount,
      ...(r.actualAmount !== undefined ? { actualAmount: r.actualAmount } : {}),
    }),
  idempotencyKeyReused: () =>
    new Problem(
      "idempotency-key-reused",
      "This Idempotency-Key was used within 24 h with another request; send a new key for a new request.",
      [{ pointer: "/headers/idempotency-key", detail: "was used with another request" }],
    ),
  unavailable: (detail: string, retryAfterSeconds: number) =>
    new Problem("dependency-unavailable", detail, [], {}, { "retry-after": String(retryAfterSeconds) }),
  /** DynamoDB kept throttling: a retry after `retryAfterSeconds` may succeed; nothing was written. */
  storeThrottled: (detail: string, retryAfterSeconds: number) =>
    new Problem("store-throttled", detail, [], {}, { "retry-after": String(retryAfterSeconds) }),
  internal: () => new Problem("internal-error", "An unexpected error occurred; it has been logged."),
};

/** Parses with a zod schema or throws a 400 problem naming every invalid field. */
export function parseOr400<S extends z.ZodMiniType>(
  schema: S,
  input: unknown,
  where: string,
  prefix = "",
): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw problems.validation(pointedIssues(result.error, prefix), where);
  return result.data;
}
