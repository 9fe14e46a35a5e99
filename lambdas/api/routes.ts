import { Router } from "@aws-lambda-powertools/event-handler/http";
import { VERSION } from "#config/version";
import { estimate } from "#core/estimator";
import { EstimateRequest, safeParseJobRequest } from "#core/job-spec";
import { accountIdOfReservation } from "#core/reservation-id";
import { accountDetail, accountSummary, resolveAccount } from "#service/accounts";
import { BalanceReader } from "#service/balance-reader";
import { cardAgeRule, cardForEstimate, runCheck } from "#service/checks";
import {
  accountOfReservation,
  commitReservation,
  extendReservation,
  type HoldAmount,
  keyUse,
  listReservations,
  releaseReservation,
  reserve,
} from "#service/reservations";
import type { Services } from "#service/services";
import type { SettleResult } from "#service/store-port";
import { waitOnReservation } from "#service/task-callbacks";
import { sendTestAlert } from "#service/test-alert";
import { toProblem } from "./errors.ts";
import { openApiDocument } from "./openapi.ts";
import { fieldErrors, parseOr400, problems } from "./problem.ts";
import { json, queryOf, readJsonBody } from "./request.ts";
import { LIST_ROUTE, RESERVE_ROUTE } from "./route-list.ts";
import {
  AlertsQuery,
  AmountReservationRequest,
  CheckRequest,
  CommitRequest,
  ExtendRequest,
  HistoryQuery,
  IdempotencyKey,
  JobReservationRequest,
  ReleaseRequest,
  ReservationId,
  ReservationsQuery,
  TestAlertRequest,
  WaitRequest,
} from "./schemas.ts";
import { addWebhookRoutes } from "./webhook-routes.ts";

/** Hooks for what the API reports beyond its answers (metrics in Lambda, nothing locally). */
export interface ApiObserver {
  checkDecided?(decision: string): void;
  unexpectedError?(error: unknown): void;
}

function parseJobBody<S extends Parameters<typeof safeParseJobRequest>[0]>(schema: S, body: unknown) {
  const result = safeParseJobRequest(schema, body ?? {});
  if (!result.success) throw problems.validation(fieldErrors(result.error), "request body");
  return result.data;
}

/** A hold of an explicit `amount`, or of the estimate of a job spec; `ttlSeconds` within the configured maximum. */
function parseReservationRequest(body: unknown, maxTtlSeconds: number) {
  const isAmount = typeof body === "object" && body !== null && "amount" in body;
  const { accountId, ttlSeconds, ...rest } = isAmount
    ? parseOr400(AmountReservationRequest, body, "request body")
    : parseJobBody(JobReservationRequest, body);
  if (ttlSeconds !== undefined && ttlSeconds > maxTtlSeconds) {
    throw problems.validation(
      [{ pointer: "/ttlSeconds", detail: `must be at most ${maxTtlSeconds}` }],
      "request body",
    );
  }
  const what: HoldAmount =
    "amount" in rest ? { amount: rest.amount as number } : { jobs: rest as EstimateRequest };
  return { accountId, ttlSeconds, what };
}

/** The Idempotency-Key header, validated; undefined when absent. */
function idempotencyKeyOf(req: Request): string | undefined {
  const key = req.headers.get("idempotency-key") ?? undefined;
  if (key !== undefined)
    parseOr400(IdempotencyKey, key, "Idempotency-Key header", "/headers/idempotency-key");
  return key;
}

function accountParam(services: Services, id: string | undefined) {
  return resolveAccount(services, id ?? "", "/path/id");
}

function reservationIdParam(id: string | undefined): string {
  const parsed = ReservationId.safeParse(id);
  if (!parsed.success || accountIdOfReservation(parsed.data) === undefined) {
    throw problems.notFound("reservation", String(id), "/path/id");
  }
  return parsed.data;
}

/** The HTTP API of design §8: each route validates, calls one use case and shapes the answer. */
export function createApiRouter(services: Services, observer: ApiObserver = {}): Router {
  const app = new Router();
  const reader = new BalanceReader(services);
  const { store, config } = services;

  app.get("/v1/health", () => json(200, { status: "ok", version: VERSION }));

  app.get("/openapi.json", () => json(200, openApiDocument()));

  app.get("/v1/rate-cards", () => json(200, { rateCards: services.rateCards.list() }));

  app.post("/v1/estimates", async ({ req }) => {
    const request = parseJobBody(EstimateRequest, await readJsonBody(req));
    return json(
      200,
      estimate(request, await cardForEstimate(services, request.rateCard), cardAgeRule(services)),
    );
  });

  app.post("/v1/checks", async ({ req }) => {
    const request = parseJobBody(CheckRequest, await readJsonBody(req));
    const account = resolveAccount(services, request.accountId, "/accountId");
    const { accountId: _accountId, ...jobs } = request;
    const answer = await runCheck(services, reader, account, jobs);
    observer.checkDecided?.(answer.decision);
    return json(200, answer);
  });

  app.post(RESERVE_ROUTE.path, async ({ req }) => {
    const key = idempotencyKeyOf(req);
    const body = await readJsonBody(req);
    const request = parseReservationRequest(body, config.reservations.maxTtlSeconds);
    const outcome = await reserve(services, reader, {
      account: resolveAccount(services, request.accountId, "/accountId"),
      what: request.what,
      ttlSeconds: request.ttlSeconds,
      idempotencyKey: keyUse(key, "reserve", body),
    });
    if (outcome.kind === "insufficient") throw problems.insufficientBalance(outcome);
    if (outcome.kind === "key-reused") throw problems.idempotencyKeyReused();
    return outcome.kind === "created"
      ? json(201, outcome.reservation)
      : json(200, outcome.reservation, { "idempotent-replayed": "true" });
  });

  app.get(LIST_ROUTE.path, async ({ req }) => {
    const query = parseOr400(ReservationsQuery, queryOf(req), "query", "/query");
    const account = resolveAccount(services, query.accountId, "/query/accountId");
    return json(200, await listReservations(services, account, query));
  });

  app.get("/v1/reservations/:id", async ({ params }) => {
    const id = reservationIdParam(params.id);
    const found = await store.getReservation(id, services.now());
    if (!found) throw problems.notFound("reservation", id, "/path/id");
    return json(200, found);
  });

  /** The answer to a commit, release or extend: the reservation, or the problem naming why not. */
  const settled = (id: string, action: string, result: SettleResult) => {
    switch (result.kind) {
      case "not_found":
        throw problems.notFound("reservation", id, "/path/id");
      case "conflict":
        throw problems.reservationConflict(action, result.view);
      case "key-reused":
        throw problems.idempotencyKeyReused();
      case "insufficient":
        throw problems.insufficientBalance({ ...result, unit: result.unit ?? "" });
      default:
        return json(200, result.view, result.replayed ? { "idempotent-replayed": "true" } : {});
    }
  };
  const settleRoute =
    (action: "committed" | "released" | "extended") =>
    async ({ params, req }: { params: Record<string, string>; req: Request }) => {
      const id = reservationIdParam(params.id);
      const account = accountOfReservation(services, id);
      if (!account) throw problems.notFound("reservation", id, "/path/id");
      const key = idempotencyKeyOf(req);
      const body = (await readJsonBody(req)) ?? {};
      if (action === "committed") {
        const request = parseOr400(CommitRequest, body, "request body");
        const result = await commitReservation(
          services,
          account,
          id,
          request,
          keyUse(key, "commit", request),
        );
        return settled(id, action, result);
      }
      if (action === "released") {
        parseOr400(ReleaseRequest, body, "request body");
        return settled(
          id,
          action,
          await releaseReservation(services, account, id, keyUse(key, "release", {})),
        );
      }
      const request = parseOr400(ExtendRequest, body, "request body");
      if (request.ttlSeconds !== undefined && request.ttlSeconds > config.reservations.maxTtlSeconds) {
        throw problems.validation(
          [{ pointer: "/ttlSeconds", detail: `must be at most ${config.reservations.maxTtlSeconds}` }],
          "request body",
        );
      }
      const result = await extendReservation(services, account, id, request, keyUse(key, "extend", request));
      return settled(id, action, result);
    };
  app.post("/v1/reservations/:id/commit", settleRoute("committed"));
  app.post("/v1/reservations/:id/release", settleRoute("released"));
  app.post("/v1/reservations/:id/extend", settleRoute("extended"));

  app.post("/v1/reservations/:id/wait", async ({ params, req }) => {
    const id = reservationIdParam(params.id);
    if (!accountOfReservation(services, id)) throw problems.notFound("reservation", id, "/path/id");
    const { taskToken } = parseOr400(WaitRequest, await readJsonBody(req), "request body");
    const outcome = await waitOnReservation(services, id, taskToken);
    if (outcome === "not_found") throw problems.notFound("reservation", id, "/path/id");
    return json(200, { reservationId: id, waiting: outcome === "waiting", resultSent: outcome === "sent" });
  });

  app.get("/v1/accounts", async () => {
    const states = await store.listAccountStates(config.accounts.map((a) => a.id));
    return json(200, {
      accounts: config.accounts.map((account) => accountSummary(services, account, states.get(account.id))),
    });
  });

  app.get("/v1/accounts/:id", async ({ params }) => {
    return json(200, await accountDetail(services, accountParam(services, params.id)));
  });

  app.get("/v1/accounts/:id/history", async ({ params, req }) => {
    const account = accountParam(services, params.id);
    const query = parseOr400(HistoryQuery, queryOf(req), "query", "/query");
    const snapshots = await store.listSnapshots(account.id, {
      ...(query.since ? { since: new Date(query.since) } : {}),
      ...(query.until ? { until: new Date(query.until) } : {}),
      limit: query.limit,
    });
    return json(200, { accountId: account.id, snapshots });
  });

  app.get("/v1/accounts/:id/alerts", async ({ params, req }) => {
    const account = accountParam(services, params.id);
    const query = parseOr400(AlertsQuery, queryOf(req), "query", "/query");
    return json(200, { accountId: account.id, alerts: await store.listAlerts(account.id, query.limit) });
  });

  app.post("/v1/accounts/:id/refresh", async ({ params }) => {
    const account = accountParam(services, params.id);
    const { state, refreshed, reason, error } = await reader.refreshOnRequest(account);
    return json(200, {
      refreshed,
      ...(reason ? { reason } : {}),
      ...(error ? { refreshError: error } : {}),
      ...accountSummary(services, account, state),
    });
  });

  app.post("/v1/accounts/:id/test-alert", async ({ params, req }) => {
    const account = accountParam(services, params.id);
    const { severity } = parseOr400(TestAlertRequest, (await readJsonBody(req)) ?? {}, "request body");
    return json(200, { alert: await sendTestAlert(services, account, severity) });
  });

  addWebhookRoutes(app, services);

  app.notFound(async (_error, { req }) =>
    problems.routeNotFound(req.method, new URL(req.url).pathname).toResponse(),
  );
  app.methodNotAllowed(async (_error, { req }) =>
    problems.methodNotAllowed(req.method, new URL(req.url).pathname).toResponse(),
  );
  app.errorHandler(Error, async (error) => {
    const { problem, unexpected } = toProblem(error);
    if (unexpected) observer.unexpectedError?.(error);
    return problem.toResponse();
  });
  return app;
}
