import type { components, paths } from "./generated/openapi.ts";

/**
 * The shapes the client sends and receives, all generated from the OpenAPI document (whose answer schemas
 * type the API's own answers, lambdas/api/responses.ts), renamed for the client's public API.
 */

type Schemas = components["schemas"];

/** One job, or `{jobs: [...]}`, plus an optional `rateCard` (README "Estimates: job spec and rate cards"). */
export type EstimateRequest = Schemas["EstimateRequest"];
export type Estimate = Schemas["Estimate"];
/** A job spec plus an optional `accountId` (optional when one account is configured). */
export type CheckRequest = Schemas["CheckRequest"];
/** Hold an explicit `amount` (in the account's unit), or the estimate of a job spec. */
export type ReserveRequest = Schemas["AmountReservationRequest"] | Schemas["JobReservationRequest"];
export type CommitRequest = Schemas["CommitRequest"];
/** Optional `reason`: `insufficient_credit` (HeyGen refused the job for credit) also reads the balance at once. */
export type ReleaseRequest = Schemas["ReleaseRequest"];
export type ExtendRequest = Schemas["ExtendRequest"];

export type Unit = Estimate["unit"];

/** `POST /v1/checks`: a "no" is an answer (`allowed: false`), not an error. Amounts in `unit`. */
export type CheckAnswer = Schemas["CheckAnswer"];

/** A credit hold. `amount` and `actualAmount` in `unit`; times ISO 8601. */
export type Reservation = Omit<Schemas["Reservation"], "estimate"> & {
  /** The estimate the amount came from, for a hold made from a job spec. */
  estimate?: Estimate;
};
export type ReservationStatus = Reservation["status"];

/** `GET /v1/reservations`: one page, newest first; `nextCursor` asks for the next. */
export type ReservationPage = Omit<Schemas["ReservationPage"], "reservations"> & {
  reservations: Reservation[];
};

/** A normalised HeyGen balance reading. */
export type Snapshot = Schemas["BalanceSnapshot"];

/** `GET /v1/accounts`: one account's latest balance, holds and alert level. */
export type AccountSummary = Schemas["AccountSummary"];
export type AlertLevel = AccountSummary["alertLevel"];

/** When the balance runs out at its recent burn rate (per hour, in the account's unit). */
export type Forecast = Schemas["Forecast"];

/** `GET /v1/accounts/{id}`: the summary plus the forecast and the oldest open hold's age. */
export type AccountDetail = Schemas["AccountDetail"];

/** One entry of the alert log. */
export type Alert = Schemas["Alert"];

/** `GET /v1/health`: the API answers, with its version. */
export type Health = Schemas["Health"];

/** `GET /v1/webhooks/heygen/status`: whether HeyGen's deliveries can be verified (never the secret). */
export type WebhookStatus = Schemas["WebhookStatus"];

/** `POST /v1/accounts/{id}/test-alert`: the marked test alert as sent and logged. */
export type TestAlert = Schemas["TestAlertAnswer"]["alert"];

/** A budget carved from an account (docs/budgets.md), with what it has used this period. Amounts in its account's unit. */
export type Budget = Schemas["Budget"];
/** What `PUT /v1/accounts/{id}/budgets/{budgetId}` takes: `limit` and `period` required. */
export type BudgetRequest = Schemas["BudgetRequest"];
/** The account's kill switch: who paused it, when and why; `paused: null` once resumed. */
export type PauseAnswer = Schemas["PauseAnswer"];
/** One page of an account's audit log, newest first. */
export type AuditPage = Schemas["AuditLog"];
/** `GET /v1/accounts/{id}/spend`: committed spend of a range, summed per group (docs/spend.md); amounts in `unit`. */
export type SpendReport = Schemas["SpendReport"];
/** The report's query: `from` (included), `to` (excluded), ISO 8601; `groupBy` as SpendReport's. */
export type SpendQuery = NonNullable<paths["/v1/accounts/{id}/spend"]["get"]["parameters"]["query"]>;
