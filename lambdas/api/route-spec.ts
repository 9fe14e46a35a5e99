import { safeParseJobRequest } from "#core/job-spec";
import * as z from "#core/zod";
import { described, named } from "#core/zod-meta";
import type { ProblemType } from "./problem-types.ts";
import { BudgetId, IdempotencyKey } from "./schemas.ts";

/**
 * How a route of the HTTP API is declared (route-table.ts and the route groups it assembles), and the parts
 * routes share: the path parameters, the Idempotency-Key header, the problem types of a body.
 */

export type Method = "GET" | "POST" | "PUT" | "DELETE" | "OPTIONS";

/** Every answer schema, by its export name (responses.ts, responses-*.ts): types only, here. */
type AnswerSchemas = typeof import("./responses.ts") &
  typeof import("./responses-controls.ts") &
  typeof import("./responses-checks.ts") &
  typeof import("./responses-spend.ts") &
  typeof import("./responses-reports.ts");

/**
 * An answer's schema, named by its export: the schema's type for the handlers and the client, but only its
 * name at run time. The router never reads an answer's schema, and the OpenAPI builder (answer-schemas.ts)
 * resolves the name, so the answer schemas stay out of the Lambda bundles (docs/bundles-and-tracing.md).
 */
export function answer<N extends keyof AnswerSchemas>(name: N): AnswerSchemas[N] {
  return name as unknown as AnswerSchemas[N];
}

/** An answer of a route; its description for the OpenAPI document is in route-docs.ts, not here. */
export interface Answer {
  /** The JSON body's schema (`answer("Name")`); none for a 204, which has no body. */
  schema?: z.ZodMiniType;
  /** The answer repeats an earlier request's (same Idempotency-Key): `Idempotent-Replayed: true`. */
  replayable?: boolean;
  /**
   * The `Location` header of what the answer created, from its body (a path on this API). Every 201 declares
   * one (test/unit/api/route-table.test.ts), so that the router sets it on every 201.
   */
  location?: (body: never) => string;
  /**
   * The same answer as CSV, for a caller whose `Accept` prefers `text/csv` (request.ts prefersCsv): the body
   * as rows, with a header row.
   */
  csv?: (body: never) => string;
}

export interface BodySpec {
  schema: z.ZodMiniType;
  required: boolean;
  /** `raw`: the route reads the body as text itself (a webhook's signature is over the raw bytes). */
  raw?: boolean;
  /** Replaces `schema.safeParse` where the schema alone would name the wrong fields (a union's one failure). */
  parse?: (input: unknown) => z.util.SafeParseResult<unknown>;
}

export interface RouteSpec {
  method: Method;
  /** OpenAPI path syntax: `/v1/reservations/{id}`. */
  path: `/${string}`;
  /**
   * Who may call it: `iam` (SigV4; every route but HeyGen's), `heygen-signature` (HeyGen's webhook, which
   * cannot sign SigV4: the body's HMAC is checked by the use case instead) or `none` (HeyGen's OPTIONS probe
   * of the webhook URL, which carries nothing to check and reads nothing).
   */
  auth: "iam" | "heygen-signature" | "none";
  /**
   * The Lambda function that serves it in AWS: `webhook` for the routes that may send Step Functions task
   * results (the webhook and /wait, infra/heygen-webhook.ts), `reports` for the reports over the spend ledger
   * (its own timeout and a role that reads, and audits denials), `api` for the rest.
   */
  servedBy: "api" | "webhook" | "reports";
  request?: {
    path?: z.ZodMiniObject;
    query?: z.ZodMiniObject;
    /** Header names as sent (`Idempotency-Key`); matched case-insensitively. */
    headers?: z.ZodMiniObject;
    body?: BodySpec;
  };
  answers: Partial<Record<200 | 201 | 204, Answer>>;
  /** The problem types the route answers besides COMMON_PROBLEMS (the OpenAPI document lists them by status). */
  problems: readonly ProblemType[];
}

/**
 * Problem types every route can answer: a dependency outage or a throttled store (503, `Retry-After`) and a
 * bug (500).
 */
export const COMMON_PROBLEMS: readonly ProblemType[] = [
  "dependency-unavailable",
  "store-throttled",
  "internal-error",
];

const id = (key: string) => z.object({ id: described(z.string(), key) });
export const AccountPath = id("AccountPath.id");
export const BudgetPath = z.object({
  id: described(z.string(), "BudgetPath.id"),
  budgetId: BudgetId,
});
export const ReservationPath = id("ReservationPath.id");
export const IdempotencyHeaders = z.object({
  "Idempotency-Key": described(z.optional(IdempotencyKey), "IdempotencyHeaders.Idempotency-Key"),
});
/** What any route with a body may answer about it. */
export const BODY: ProblemType[] = [
  "validation-error",
  "malformed-json",
  "payload-too-large",
  "unsupported-media-type",
];
/** What a change of a reservation may answer besides BODY. */
export const SETTLE: ProblemType[] = [
  ...BODY,
  "not-found",
  "forbidden",
  "reservation-conflict",
  "idempotency-key-reused",
];
export const json = <S extends z.ZodMiniType>(schema: S, required = true) => ({ schema, required });
/** Job requests pick their form (one job, or `jobs`) first, so that errors point into it. */
export const jobBody = <S extends Parameters<typeof safeParseJobRequest>[0]>(schema: S, id: string) => ({
  schema: named(schema, id),
  required: true,
  parse: (input: unknown) => safeParseJobRequest(schema, input),
});
export const isAmountRequest = (input: unknown) =>
  typeof input === "object" && input !== null && "amount" in input;
