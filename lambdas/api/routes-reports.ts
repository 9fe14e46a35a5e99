import { spendCsv } from "#core/spend-report";
import { AccountPath, answer, type RouteSpec } from "./route-spec.ts";
import { SpendQuery } from "./schemas-reports.ts";

/**
 * The reports over the spend ledger (docs/spend.md), served by their own function (`reports`): a quarter of a
 * busy account's ledger is read in one invocation, with a longer timeout than the API's and a read-only role.
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
} as const satisfies Record<string, RouteSpec>;
