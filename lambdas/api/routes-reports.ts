import { spendCsv } from "#core/spend-report";
import { AccountPath, answer, type RouteSpec } from "./route-spec.ts";
import { RangeQuery, SpendQuery } from "./schemas-reports.ts";

/**
 * The reports over the spend ledger (docs/spend.md), served by their own function (`reports`): a quarter of a
 * busy account's ledger is read in one invocation, with a longer timeout than the API's and a role that reads
 * (and puts the audit entry of a denial).
 */
export const REPORT_ROUTES = {
  spend: {
    method: "GET",
    path: "/v1/accounts/{id}/spend",
    auth: "iam",
    servedBy: "reports",
    request: { path: AccountPath, query: SpendQuery },
    answers: { 200: { schema: answer("SpendReport"), csv: spendCsv } },
    problems: ["validation-error", "not-found", "forbidden"],
  },
  // HeyGen's observed consumption against the ledger, and each card's estimates against the duration-priced
  // commits (docs/spend.md#reconciliation, #estimate-drift).
  reconciliation: {
    method: "GET",
    path: "/v1/accounts/{id}/reconciliation",
    auth: "iam",
    servedBy: "reports",
    request: { path: AccountPath, query: RangeQuery },
    answers: { 200: { schema: answer("Reconciliation") } },
    problems: ["validation-error", "not-found", "forbidden"],
  },
  rateCardAccuracy: {
    method: "GET",
    path: "/v1/rate-cards/accuracy",
    auth: "iam",
    servedBy: "reports",
    request: { query: RangeQuery },
    answers: { 200: { schema: answer("RateCardAccuracy") } },
    problems: ["validation-error"],
  },
} as const satisfies Record<string, RouteSpec>;
