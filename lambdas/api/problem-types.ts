/**
 * Every problem type the API answers (RFC 9457), declared once: its status and its title. A problem's `type`
 * is the URI of `GET /problems/{type}` on the API that answered it, which serves these with the type's
 * explanation; the route table lists which types each route can answer. The explanations, read only by that
 * route, live in problem-explanations.json beside the bundle rather than in it (problem-explanations.ts).
 */
export const PROBLEM_TYPES = {
  "validation-error": {
    status: 400,
    title: "Invalid request",
  },
  "malformed-json": {
    status: 400,
    title: "Malformed JSON",
  },
  unauthorized: {
    status: 401,
    title: "Unauthorized",
  },
  "unsigned-delivery": {
    status: 401,
    title: "Unsigned webhook delivery",
  },
  "not-found": {
    status: 404,
    title: "Not found",
  },
  "method-not-allowed": {
    status: 405,
    title: "Method not allowed",
  },
  "balance-unknown": {
    status: 409,
    title: "Balance unknown",
  },
  "insufficient-balance": {
    status: 409,
    title: "Insufficient balance",
  },
  paused: {
    status: 409,
    title: "Paused",
  },
  forbidden: {
    status: 403,
    title: "Forbidden",
  },
  "budget-exhausted": {
    status: 409,
    title: "Budget exhausted",
  },
  "budget-max-per-job": {
    status: 409,
    title: "Over the budget's cap per job",
  },
  "no-free-slot": {
    status: 409,
    title: "No free render slot",
  },
  "budget-period-ended": {
    status: 409,
    title: "Budget period ended",
  },
  "budget-in-use": {
    status: 409,
    title: "Budget in use",
  },
  "reservation-conflict": {
    status: 409,
    title: "Reservation conflict",
  },
  "commit-exceeds-available": {
    status: 409,
    title: "Commit exceeds available",
  },
  "idempotency-key-reused": {
    status: 409,
    title: "Idempotency-Key reused",
  },
  "payload-too-large": {
    status: 413,
    title: "Payload too large",
  },
  "unsupported-media-type": {
    status: 415,
    title: "Unsupported media type",
  },
  unprocessable: {
    status: 422,
    title: "Cannot be processed",
  },
  "internal-error": {
    status: 500,
    title: "Internal error",
  },
  "dependency-unavailable": {
    status: 503,
    title: "Service unavailable",
  },
  "store-throttled": {
    status: 503,
    title: "Store throttled",
  },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemType = keyof typeof PROBLEM_TYPES;
