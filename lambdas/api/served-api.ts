import type { Router } from "@aws-lambda-powertools/event-handler/http";
import { VERSION } from "#config/version";
import { accountAlerts, accountHistory, getAccount, listAccounts, refreshAccount } from "#service/accounts";
import { accountAudit } from "#service/audit";
import { BalanceReader } from "#service/balance-reader";
import { pauseBudget, resumeBudget } from "#service/budget-kill-switch";
import { deleteBudget, getBudget, listBudgets, setBudget } from "#service/budgets";
import { checkJobs, estimateJobs, listRateCards } from "#service/checks";
import { pauseAccount, resumeAccount } from "#service/kill-switch";
import { changeHold, getReservation, holdCredit, listAccountReservations } from "#service/reservations";
import type { Services } from "#service/services";
import { sendTestAlertTo } from "#service/test-alert";
import { accountWebhookEvents } from "#service/webhooks";
import type { ApiObserver } from "./errors.ts";
import { servedOpenApiDocument } from "./openapi-file.ts";
import { problems } from "./problem.ts";
import { explainProblemType } from "./problem-explanations.ts";
import { ROUTES } from "./route-table.ts";
import { answer, noContent, serve } from "./serve.ts";

/**
 * The API function's routes (`servedBy: "api"` in the route table): each takes its parsed request, calls one
 * use case and answers.
 */
export function serveApiRoutes(app: Router, services: Services, observer: ApiObserver): void {
  const reader = new BalanceReader(services);

  serve(app, ROUTES.health, async () => answer(200, { status: "ok", version: VERSION }));
  serve(app, ROUTES.openApi, async () => answer(200, { ...(await servedOpenApiDocument()) }));
  serve(app, ROUTES.problemType, async ({ path }) => {
    const explained = await explainProblemType(path.type);
    if (!explained) throw problems.notFound("problem type", path.type, "/path/type");
    return answer(200, explained);
  });
  serve(app, ROUTES.rateCards, async () => answer(200, await listRateCards(services)));

  serve(app, ROUTES.estimate, async ({ body }) => answer(200, await estimateJobs(services, body)));
  serve(app, ROUTES.check, async ({ body, caller }) => {
    const verdict = await checkJobs(services, reader, body, caller);
    observer.checkDecided?.(verdict.decision);
    return answer(200, verdict);
  });

  serve(app, ROUTES.reserve, async ({ body, sentBody, headers, caller }) => {
    const idempotency = { key: headers["Idempotency-Key"], sentBody };
    const hold = await holdCredit(services, reader, body, idempotency, caller);
    return hold.replayed ? answer(200, hold.reservation, true) : answer(201, hold.reservation);
  });
  serve(app, ROUTES.listReservations, async ({ query, caller }) =>
    answer(200, await listAccountReservations(services, query, caller)),
  );
  serve(app, ROUTES.getReservation, async ({ path, caller }) =>
    answer(200, await getReservation(services, path.id, caller)),
  );
  serve(app, ROUTES.commit, async ({ path, headers, body, caller }) => {
    const hold = await changeHold(
      services,
      path.id,
      { action: "commit", commit: body, caller },
      headers["Idempotency-Key"],
    );
    return answer(200, hold.reservation, hold.replayed);
  });
  serve(app, ROUTES.release, async ({ path, headers, body, caller }) => {
    const hold = await changeHold(
      services,
      path.id,
      { action: "release", reason: body?.reason, caller },
      headers["Idempotency-Key"],
    );
    return answer(200, hold.reservation, hold.replayed);
  });
  serve(app, ROUTES.extend, async ({ path, headers, body, caller }) => {
    const hold = await changeHold(
      services,
      path.id,
      { action: "extend", extend: body, caller },
      headers["Idempotency-Key"],
    );
    return answer(200, hold.reservation, hold.replayed);
  });
  serve(app, ROUTES.listAccounts, async ({ caller }) => answer(200, await listAccounts(services, caller)));
  serve(app, ROUTES.getAccount, async ({ path, caller }) =>
    answer(200, await getAccount(services, path.id, caller)),
  );
  serve(app, ROUTES.history, async ({ path, query, caller }) =>
    answer(200, await accountHistory(services, path.id, query, caller)),
  );
  serve(app, ROUTES.alerts, async ({ path, query, caller }) =>
    answer(200, await accountAlerts(services, path.id, query.limit, caller)),
  );
  serve(app, ROUTES.events, async ({ path, query, caller }) =>
    answer(200, await accountWebhookEvents(services, path.id, query.limit, caller)),
  );
  serve(app, ROUTES.refresh, async ({ path, caller }) =>
    answer(200, await refreshAccount(services, reader, path.id, caller)),
  );
  serve(app, ROUTES.testAlert, async ({ path, body, caller }) =>
    answer(200, { alert: await sendTestAlertTo(services, path.id, body.severity, caller) }),
  );

  serve(app, ROUTES.pause, async ({ path, body, caller }) =>
    answer(200, await pauseAccount(services, path.id, body.reason, caller)),
  );
  serve(app, ROUTES.resume, async ({ path, caller }) =>
    answer(200, await resumeAccount(services, path.id, caller)),
  );
  serve(app, ROUTES.audit, async ({ path, query, caller }) =>
    answer(200, await accountAudit(services, path.id, query, caller)),
  );
  serve(app, ROUTES.listBudgets, async ({ path, caller }) =>
    answer(200, await listBudgets(services, path.id, caller)),
  );
  serve(app, ROUTES.putBudget, async ({ path, body, caller }) => {
    const { created, view } = await setBudget(services, path.id, path.budgetId, body, caller);
    return created ? answer(201, view) : answer(200, view);
  });
  serve(app, ROUTES.getBudget, async ({ path, caller }) =>
    answer(200, await getBudget(services, path.id, path.budgetId, caller)),
  );
  serve(app, ROUTES.pauseBudget, async ({ path, body, caller }) =>
    answer(200, await pauseBudget(services, path.id, path.budgetId, body.reason, caller)),
  );
  serve(app, ROUTES.resumeBudget, async ({ path, caller }) =>
    answer(200, await resumeBudget(services, path.id, path.budgetId, caller)),
  );
  serve(app, ROUTES.deleteBudget, async ({ path, caller }) => {
    await deleteBudget(services, path.id, path.budgetId, caller);
    return noContent();
  });
}
