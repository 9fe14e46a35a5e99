import type { z } from "zod";

/** One invalid field of a request, located by a JSON pointer (RFC 6901) into the body or a parameter. */
export interface FieldError {
  pointer: string;
  detail: string;
}

export const PROBLEM_CONTENT_TYPE = "application/problem+json";
const TYPE_BASE = "https://quota-guard.dev/problems/";

/**
 * An RFC 9457 problem. Thrown anywhere below a route and turned into an `application/problem+json` response by the
 * router's error handler; `extensions` carry problem-specific members (`required`, `available`, ...).
 */
export class Problem extends Error {
  override readonly name = "Problem";
  constructor(
    readonly status: number,
    readonly type: string,
    readonly title: string,
    readonly detail: string,
    readonly errors: FieldError[] = [],
    readonly extensions: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }

  toJSON() {
    // Extensions first, so that none can overwrite a member RFC 9457 defines (a `status` extension once did).
    return {
      ...this.extensions,
      type: `${TYPE_BASE}${this.type}`,
      title: this.title,
      status: this.status,
      detail: this.detail,
      ...(this.errors.length ? { errors: this.errors } : {}),
    };
  }

  toResponse(): Response {
    return new Response(JSON.stringify(this), {
      status: this.status,
      headers: { "content-type": PROBLEM_CONTENT_TYPE, ...this.headers },
    });
  }
}

export const problems = {
  /** Says nothing of why: a forger learns nothing from the answer. */
  unauthorized: () => new Problem(401, "unauthorized", "Unauthorized", "The request is not authenticated."),
  validation: (errors: FieldError[], where = "request") =>
    new Problem(
      400,
      "validation-error",
      "Invalid request",
      `The ${where} is invalid: ${errors.map((e) => `${e.pointer || "/"} ${e.detail}`).join("; ")}`,
      errors,
    ),
  malformedJson: (detail: string) =>
    new Problem(400, "malformed-json", "Malformed JSON", `The body is not valid JSON: ${detail}`, [
      { pointer: "", detail: "must be a JSON document" },
    ]),
  unsupportedMediaType: (got: string) =>
    new Problem(
      415,
      "unsupported-media-type",
      "Unsupported media type",
      `Send application/json, not "${got}".`,
      [{ pointer: "/headers/content-type", detail: "must be application/json" }],
    ),
  tooLarge: (limit: number) =>
    new Problem(413, "payload-too-large", "Payload too large", `The body is larger than ${limit} bytes.`),
  notFound: (what: string, id: string, pointer: string) =>
    new Problem(404, "not-found", "Not found", `No ${what} "${id}".`, [
      { pointer, detail: `unknown ${what}` },
    ]),
  routeNotFound: (method: string, path: string) =>
    new Problem(404, "not-found", "Not found", `No route for ${method} ${path}.`),
  methodNotAllowed: (method: string, path: string) =>
    new Problem(405, "method-not-allowed", "Method not allowed", `${method} is not allowed on ${path}.`),
  unprocessable: (errors: FieldError[], detail: string) =>
    new Problem(422, "unprocessable", "Cannot be processed", detail, errors),
  conflict: (type: string, title: string, detail: string, extensions: Record<string, unknown> = {}) =>
    new Problem(409, type, title, detail, [], extensions),
  insufficientBalance: (s: { required: number; available: number; shortfall: number; unit: string }) =>
    new Problem(
      409,
      "insufficient-balance",
      "Insufficient balance",
      `The hold needs ${s.required} ${s.unit} but only ${s.available} ${s.unit} is available.`,
      [],
      { required: s.required, available: s.available, shortfall: s.shortfall, unit: s.unit },
    ),
  /** The request cannot apply to the reservation as recorded; names its state and amounts. */
  reservationConflict: (
    action: string,
    r: { id: string; status: string; amount: number; committedAmount: number; actualAmount?: number },
  ) =>
    new Problem(
      409,
      "reservation-conflict",
      "Reservation conflict",
      `Reservation ${r.id} is ${r.status} (amount ${r.amount}, committed ${r.committedAmount}); it cannot be ${action}.`,
      [],
      {
        reservationStatus: r.status,
        amount: r.amount,
        committedAmount: r.committedAmount,
        ...(r.actualAmount !== undefined ? { actualAmount: r.actualAmount } : {}),
      },
    ),
  idempotencyKeyReused: () =>
    new Problem(
      409,
      "idempotency-key-reused",
      "Idempotency-Key reused",
      "This Idempotency-Key was used within 24 h with another request; send a new key for a new request.",
      [{ pointer: "/headers/idempotency-key", detail: "was used with another request" }],
    ),
  unavailable: (detail: string, retryAfterSeconds: number) =>
    new Problem(
      503,
      "dependency-unavailable",
      "Service unavailable",
      detail,
      [],
      {},
      {
        "retry-after": String(retryAfterSeconds),
      },
    ),
};

/** zod issue path -> JSON pointer (`/jobs/0/durationSeconds`). */
export function toPointer(path: readonly PropertyKey[], prefix = ""): string {
  return prefix + path.map((p) => `/${String(p).replaceAll("~", "~0").replaceAll("/", "~1")}`).join("");
}

export function fieldErrors(error: z.ZodError, prefix = ""): FieldError[] {
  return error.issues.flatMap((issue) => {
    // Unknown keys are reported on the parent object; point at each offending key instead.
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({
        pointer: toPointer([...issue.path, key], prefix),
        detail: "is not a known field",
      }));
    }
    return [{ pointer: toPointer(issue.path, prefix), detail: issue.message }];
  });
}

/** Parses with a zod schema or throws a 400 problem naming every invalid field. */
export function parseOr400<S extends z.ZodType>(
  schema: S,
  input: unknown,
  where: string,
  prefix = "",
): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw problems.validation(fieldErrors(result.error, prefix), where);
  return result.data;
}
