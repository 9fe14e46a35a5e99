import { Router } from "@aws-lambda-powertools/event-handler/http";
import { VERSION } from "#config/version";
import { estimate } from "#core/estimator";
import { EstimateRequest, safeParseJobRequest } from "#core/job-spec";
import { accountIdOfReservation } from "#core/reservation-id";
import { reservationView } from "#core/reservations";
import { accountDetail, accountSummary, resolveAccount } from "#service/accounts";
import { BalanceReader } from "#service/balance-reader";
import { cardForEstimate, runCheck } from "#service/checks";
import { type HoldAmount, reserve } from "#service/reservations";
import type { Services } from "#service/services";
import { sendTestAlert } from "#service/test-alert";
import { toProblem } from "./errors.ts";
import { openApiDocument } from "./openapi.ts";
import { fieldErrors, parseOr400, problems } from "./problem.ts";
import { json, queryOf, readJsonBody } from "./request.ts";
import {
  AlertsQuery,
  AmountReservationRequest,
  CheckRequest,
  CommitRequest,
  HistoryQuery,
  IdempotencyKey,
  JobReservationRequest,
  ReleaseRequest,
  ReservationId,
  TestAlertRequest,
} from "./schemas.ts";

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
    return json(200, estimate(request, await cardForEstimate(services, request.rateCard)));
  });

  app.post("/v1/checks", async ({ req }) => {
    const request = parseJobBody(CheckRequest, await readJsonBody(req));
    const account = resolveAccount(services, request.accountId, "/accountId");
    const { accountId: _accountId, ...jobs } = request;
    const answer = await runCheck(services, reader, account, jobs);
    observer.checkDecided?.(answer.decision);
    return json(200, answer);
  });

  app.post("/v1/reservations", async ({ req }) => {
    const idempotencyKey = req.headers.get("idempotency-key") ?? undefined;
    if (idempotencyKey !== undefined) {
      parseOr400(IdempotencyKey, idempotencyKey, "Idempotency-Key header", "/headers/idempotency-key");
    }
    const request = parseReservationRequest(await readJsonBody(req), config.reservations.maxTtlSeconds);
    const outcome = await reserve(services, reader, {
      account: resolveAccount(services, request.accountId, "/accountId"),
      what: request.what,
      ttlSeconds: request.ttlSeconds,
      idempotencyKey,
    });
    if (outcome.kind === "insufficient") throw problems.insufficientBalance(outcome);
    return json(outcome.kind === "created" ? 201 : 200, outcome.reservation);
  });

  app.get("/v1/reservations/:id", async ({ params }) => {
    const id = reservationIdParam(params.id);
    const found = await store.getReservation(id, services.now());
    if (!found) throw problems.notFound("reservation", id, "/path/id");
    return json(200, found.view);
  });

  const endHold =
    (action: "commit" | "release") =>
    async ({ params, req }: { params: Record<string, string>; req: Request }) => {
      const id = reservationIdParam(params.id);
      const body = (await readJsonBody(req)) ?? {};
      const now = services.now();
      let result: Awaited<ReturnType<typeof store.commit>>;
      if (action === "commit") {
        const { actualAmount } = parseOr400(CommitRequest, body, "request body");
        result = await store.commit(id, actualAmount, now);
      } else {
        parseOr400(ReleaseRequest, body, "request body");
        result = await store.release(id, now);
      }
      if (result.kind === "not_found") throw problems.notFound("reservation", id, "/path/id");
      if (result.kind === "not_held") {
        throw problems.conflict(
          "reservation-not-held",
          "Reservation not held",
          `Reservation ${id} is ${result.status}; only a held reservation can be ${action === "commit" ? "committed" : "released"}.`,
          { reservationStatus: result.status },
        );
      }
      return json(200, reservationView(result.hold, now, result.state.latest?.unit));
    };
  app.post("/v1/reservations/:id/commit", endHold("commit"));
  app.post("/v1/reservations/:id/release", endHold("release"));

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
