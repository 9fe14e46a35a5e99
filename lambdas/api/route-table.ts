import { EstimateRequest, safeParseJobRequest } from "#core/job-spec";
import * as z from "#core/zod";
import { described, named } from "#core/zod-meta";
import { answer, BODY, isAmountRequest, jobBody, type RouteSpec } from "./route-spec.ts";
import { ACCOUNT_ROUTES } from "./routes-accounts.ts";
import { BUDGET_ROUTES } from "./routes-budgets.ts";
import { REPORT_ROUTES } from "./routes-reports.ts";
import { RESERVATION_ROUTES } from "./routes-reservations.ts";
import { WEBHOOK_ROUTES } from "./routes-webhooks.ts";
import { AmountCheckRequest, CheckRequest } from "./schemas.ts";

/**
 * The HTTP API (docs/api.md), each route declared once (route-spec.ts says how): method, path, request
 * schemas, answers per status, the problem types it can answer and who may call it. The router (routes.ts),
 * the stack's route list (route-list.ts, read by infra) and the OpenAPI document (openapi.ts) are all derived
 * from this table. The routes of one kind are in their own file (routes-*.ts); these are the API's own.
 */
export const ROUTES = {
  health: {
    method: "GET",
    path: "/v1/health",
    auth: "iam",
    servedBy: "api",
    answers: { 200: { schema: answer("Health") } },
    problems: [],
  },
  openApi: {
    method: "GET",
    path: "/openapi.json",
    auth: "iam",
    servedBy: "api",
    answers: { 200: { schema: answer("OpenApiDocument") } },
    problems: [],
  },
  problemType: {
    method: "GET",
    path: "/problems/{type}",
    auth: "iam",
    servedBy: "api",
    request: {
      path: z.object({
        type: described(z.string(), "problemType.path.type"),
      }),
    },
    answers: {
      200: {
        schema: answer("ProblemExplanation"),
      },
    },
    problems: ["not-found"],
  },
  rateCards: {
    method: "GET",
    path: "/v1/rate-cards",
    auth: "iam",
    servedBy: "api",
    answers: { 200: { schema: answer("RateCards") } },
    problems: [],
  },
  estimate: {
    method: "POST",
    path: "/v1/estimates",
    auth: "iam",
    servedBy: "api",
    request: { body: jobBody(EstimateRequest, "EstimateRequest") },
    answers: { 200: { schema: answer("EstimateAnswer") } },
    problems: [...BODY, "unprocessable"],
  },
  check: {
    method: "POST",
    path: "/v1/checks",
    auth: "iam",
    servedBy: "api",
    request: {
      body: {
        schema: z.union([
          named(AmountCheckRequest, "AmountCheckRequest"),
          named(CheckRequest, "CheckRequest"),
        ]),
        required: true,
        parse: (input: unknown) =>
          isAmountRequest(input)
            ? AmountCheckRequest.safeParse(input)
            : safeParseJobRequest(CheckRequest, input),
      },
    },
    answers: { 200: { schema: answer("CheckAnswer") } },
    problems: [...BODY, "not-found", "forbidden", "unprocessable"],
  },
  ...RESERVATION_ROUTES,
  ...ACCOUNT_ROUTES,
  ...BUDGET_ROUTES,
  ...WEBHOOK_ROUTES,
  ...REPORT_ROUTES,
} as const satisfies Record<string, RouteSpec>;

export type RouteName = keyof typeof ROUTES;
