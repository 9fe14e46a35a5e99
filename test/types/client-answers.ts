import type {
  AccountDetail,
  AccountSummary,
  Alert,
  AuditPage,
  Budget,
  CheckAnswer,
  Forecast,
  PauseAnswer,
  Reservation,
  ReservationPage,
} from "@heygen-quota-guard/client";
import type { Alert as ServerAlert } from "#core/account";
import type { BudgetView } from "#core/budget";
import type { Forecast as ServerForecast } from "#core/forecast";
import type { ReservationView } from "#core/reservations";
import type { accountSummary, getAccount } from "#service/accounts";
import type { accountAudit } from "#service/audit";
import type { CheckAnswer as ServerCheckAnswer } from "#service/checks";
import type { PauseAnswer as ServerPauseAnswer } from "#service/kill-switch";
import type { listAccountReservations } from "#service/reservations";

/**
 * A compile-time test, run by `tsc --noEmit` (`npm run typecheck`, in `npm test`), not by Vitest: a mismatch
 * is a type error. The client's answer types are generated from the OpenAPI document, whose answer schemas
 * type the API's routes (lambdas/api/route-table.ts); this holds them to the use cases' return types, so
 * neither side can drift. Each server answer must be assignable to the client's type (the client reads
 * nothing the server does not send), with the same fields.
 */

type Summary = ReturnType<typeof accountSummary>;
type Detail = Awaited<ReturnType<typeof getAccount>>;
type Page = Awaited<ReturnType<typeof listAccountReservations>>;
type ServerAuditPage = Awaited<ReturnType<typeof accountAudit>>;

type Assert<Holds extends true> = Holds;
type Extends<A, B> = [A] extends [B] ? true : false;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

export type ClientAnswersMatchTheServer = [
  Assert<Extends<Omit<ReservationView, "estimate">, Omit<Reservation, "estimate">>>,
  Assert<Same<keyof ReservationView, keyof Reservation>>,
  Assert<Extends<Omit<Page, "reservations">, Omit<ReservationPage, "reservations">>>,
  Assert<Extends<ServerCheckAnswer, CheckAnswer>>,
  Assert<Same<keyof ServerCheckAnswer, keyof CheckAnswer>>,
  Assert<Extends<Summary, AccountSummary>>,
  Assert<Same<keyof Summary, keyof AccountSummary>>,
  Assert<Extends<Detail, AccountDetail>>,
  Assert<Same<keyof Detail, keyof AccountDetail>>,
  Assert<Extends<ServerForecast, Forecast>>,
  Assert<Same<keyof ServerForecast, keyof Forecast>>,
  Assert<Extends<ServerAlert, Alert>>,
  Assert<Same<keyof ServerAlert, keyof Alert>>,
  Assert<Extends<BudgetView, Budget>>,
  Assert<Same<keyof BudgetView, keyof Budget>>,
  Assert<Extends<ServerPauseAnswer, PauseAnswer>>,
  Assert<Same<keyof ServerPauseAnswer, keyof PauseAnswer>>,
  Assert<Same<keyof ServerAuditPage, keyof AuditPage>>,
];

/** The check itself can fail: a server answer with a field the client lacks is a compile error. */
export type TheCheckCanFail = [
  // @ts-expect-error: an extra field is not the same set of keys
  Assert<Same<keyof ServerAlert | "extra", keyof Alert>>,
  // @ts-expect-error: an answer missing the client's fields does not extend its type
  Assert<Extends<{ alertType: string }, Alert>>,
];
