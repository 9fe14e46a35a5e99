import type { Router } from "@aws-lambda-powertools/event-handler/http";
import { parseSpendGrouping, type SpendGrouping } from "#core/spend-report";
import { accountReconciliation, rateCardAccuracy } from "#service/reconciliation";
import type { Services } from "#service/services";
import { spendReport } from "#service/spend-report";
import { ROUTES } from "./route-table.ts";
import { answer, serve } from "./serve.ts";

/** The reports function's routes (`servedBy: "reports"`): reports over the spend ledger, and reconciliation. */
export function serveReportRoutes(app: Router, services: Services): void {
  serve(app, ROUTES.spend, async ({ path, query, caller }) => {
    // The query's schema accepted groupBy only if it parses.
    const grouping = parseSpendGrouping(query.groupBy) as SpendGrouping;
    return answer(200, await spendReport(services, path.id, { ...query, grouping }, caller));
  });
  serve(app, ROUTES.reconciliation, async ({ path, query, caller }) =>
    answer(200, await accountReconciliation(services, path.id, query, caller)),
  );
  serve(app, ROUTES.rateCardAccuracy, async ({ query, caller }) =>
    answer(200, await rateCardAccuracy(services, query, caller)),
  );
}
