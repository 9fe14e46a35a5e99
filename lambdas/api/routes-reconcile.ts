import { AccountPath, answer, type RouteSpec } from "./route-spec.ts";
import { ReportRangeQuery } from "./schemas.ts";

/**
 * Reconciliation and estimate accuracy (docs/spend.md): HeyGen's observed consumption against the ledger, and
 * each rate card's estimates against the duration-priced commits. Report routes, read-only.
 */
export const RECONCILE_ROUTES = {
  reconciliation: {
    method: "GET",
    path: "/v1/accounts/{id}/reconciliation",
    auth: "iam",
    servedBy: "api",
    request: { path: AccountPath, query: ReportRangeQuery },
    answers: { 200: { schema: answer("Reconciliation") } },
    problems: ["validation-error", "not-found", "forbidden"],
  },
  rateCardAccuracy: {
    method: "GET",
    path: "/v1/rate-cards/accuracy",
    auth: "iam",
    servedBy: "api",
    request: { query: ReportRangeQuery },
    answers: { 200: { schema: answer("RateCardAccuracy") } },
    problems: ["validation-error"],
  },
} as const satisfies Record<string, RouteSpec>;
