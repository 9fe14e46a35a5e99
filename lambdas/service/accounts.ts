import type { AccountConfig } from "#config/config";
import type { AccountState, Alert } from "#core/account";
import type { BalanceSnapshot } from "#core/balance";
import { settledUpToMs } from "#core/corrections";
import { accountIdOfReservation } from "#core/reservation-id";
import { computeBalanceView } from "#core/reservations";
import { authoriseAccount, mayUseAccount } from "./access.ts";
import type { BalanceReader } from "./balance-reader.ts";
import { balanceRulesOf } from "./balance-rules.ts";
import {
  AccountRequiredError,
  InvalidRequestError,
  UnknownAccountError,
  UnknownReservationError,
} from "./errors.ts";
import { forecastAccount } from "./forecast-account.ts";
import type { Services } from "./services.ts";
import { useCase } from "./use-case.ts";

/**
 * The account a request is about, which `caller` (the IAM principal) may use; `accountId` may be omitted
 * when exactly one account is configured. Raises AccountRequiredError, UnknownAccountError (naming
 * `pointer`), and AccessDeniedError when the account's `access` rule leaves the caller out. Every use case
 * that reads or spends an account finds it here, so the rule has this one place.
 */
export function resolveAccount(
  services: Services,
  accountId: string | undefined,
  pointer: string,
  caller: string,
): AccountConfig {
  const account = findAccount(services, accountId, pointer);
  authoriseAccount(account, caller);
  return account;
}

function findAccount(services: Services, accountId: string | undefined, pointer: string): AccountConfig {
  const { accounts } = services.config;
  if (accountId === undefined) {
    if (accounts.length === 1) return accounts[0] as AccountConfig;
    throw new AccountRequiredError(
      accounts.map((a) => a.id),
      pointer,
    );
  }
  const account = accounts.find((a) => a.id === accountId);
  if (!account) throw new UnknownAccountError(accountId, pointer);
  return account;
}

/**
 * The configured account a reservation id names (`accountIdOfReservation`), which `caller` may use. Raises
 * UnknownReservationError (not an id of ours), AccessDeniedError (the account's `access` rule).
 */
export function resolveReservationAccount(
  services: Services,
  reservationId: string,
  caller: string,
): AccountConfig {
  const accountId = accountIdOfReservation(reservationId);
  const account = services.config.accounts.find((a) => a.id === accountId);
  if (!account) throw new UnknownReservationError(reservationId);
  authoriseAccount(account, caller);
  return account;
}

/** What `GET /v1/accounts[/{id}]` shows of an account: latest balance, holds, availability, alert level. */
export function accountSummary(services: Services, account: AccountConfig, state: AccountState | undefined) {
  const now = services.now();
  const view = computeBalanceView(state, balanceRulesOf(services, account, now));
  const latest = state?.latest;
  return {
    accountId: account.id,
    unit: latest?.unit ?? null,
    remaining: view.remaining,
    reserved: view.reserved,
    reserveFloor: account.reserveFloor,
    available: view.available,
    activeReservations: state?.openHolds ?? 0,
    alertLevel: state?.alert.level ?? "unknown",
    monitorDegraded: state?.alert.degraded ?? false,
    consecutiveFailures: state?.alert.consecutiveFailures ?? 0,
    lastFailure: state?.alert.lastFailure ?? null,
    /** HeyGen asked not to be called before `until` (a long Retry-After); null when it did not. */
    retryNotBefore:
      state?.retryNotBefore && Date.parse(state.retryNotBefore.until) > now.getTime()
        ? state.retryNotBefore
        : null,
    balanceObservedAt: latest?.observedAt ?? null,
    balanceAgeSeconds: latest
      ? Math.max(0, Math.round((now.getTime() - Date.parse(latest.observedAt)) / 1000))
      : null,
    lastPollAt: state?.lastPollAt ?? null,
    /** The kill switch: who paused the account, when and why; null while it is not paused. */
    paused: state?.paused ?? null,
    thresholds: account.thresholds,
    latest: latest ?? null,
  };
}

/**
 * `GET /v1/accounts/{id}`: the summary, the age of the oldest hold still held (seconds; null when none),
 * and the forecast from the last day of snapshots.
 */
async function accountDetail(services: Services, account: AccountConfig) {
  const now = services.now();
  const { store } = services;
  let state = await store.getAccountState(account.id);
  // Holds that expired and parts the balance now shows leave the counter here too, not only at the next
  // poll (cost: what is corrected; usually two empty index queries).
  const settled = settledUpToMs(state?.latest?.observedAt, services.config.reservations.settleSeconds);
  if (state !== undefined && (await store.correctCounters(account.id, now, settled)) > 0) {
    state = await store.getAccountState(account.id);
  }
  const summary = accountSummary(services, account, state);
  const [outlook, oldest] = await Promise.all([
    summary.available === null ? null : forecastAccount(services, account.id, summary.available, now),
    store.oldestOpenHold(account.id, now),
  ]);
  const oldestOpenHoldAgeSeconds = oldest
    ? Math.max(0, Math.round((now.getTime() - Date.parse(oldest.createdAt)) / 1000))
    : null;
  return { ...summary, oldestOpenHoldAgeSeconds, forecast: outlook };
}

/**
 * `GET /v1/accounts`: the summary of every configured account `caller` may use (its `access` rule), in
 * config order; the others are left out, not refused.
 */
export const listAccounts = /* @__PURE__ */ useCase(async (services: Services, caller: string) => {
  const accounts = services.config.accounts.filter((account) => mayUseAccount(account, caller));
  const states = await services.store.listAccountStates(accounts.map((a) => a.id));
  return { accounts: accounts.map((account) => accountSummary(services, account, states.get(account.id))) };
});

/** `GET /v1/accounts/{id}`: the summary, the oldest open hold's age and the forecast. Raises UnknownAccountError, AccessDeniedError. */
export const getAccount = /* @__PURE__ */ useCase((services: Services, accountId: string, caller: string) =>
  accountDetail(services, resolveAccount(services, accountId, "/path/id", caller)),
);

/** Which snapshots `GET /v1/accounts/{id}/history` lists: ISO times, at most `limit` (1–MAX_LIST_LIMIT). */
export interface HistoryRange {
  since?: string | undefined;
  until?: string | undefined;
  limit: number;
}

/**
 * `GET /v1/accounts/{id}/history`: balance snapshots observed in the range, newest first. Raises
 * UnknownAccountError, InvalidRequestError (`since` later than now: no snapshot can match; a mistyped year or
 * offset, most likely). An `until` in the future is fine: the range ends now.
 */
export const accountHistory = /* @__PURE__ */ useCase(
  async (
    services: Services,
    accountId: string,
    range: HistoryRange,
    caller: string,
  ): Promise<{ accountId: string; snapshots: BalanceSnapshot[] }> => {
    const account = resolveAccount(services, accountId, "/path/id", caller);
    const now = services.now();
    if (range.since !== undefined && Date.parse(range.since) > now.getTime()) {
      throw new InvalidRequestError(
        [{ pointer: "/query/since", detail: `is in the future (now is ${now.toISOString()})` }],
        "query",
      );
    }
    const snapshots = await services.store.listSnapshots(account.id, {
      ...(range.since ? { since: new Date(range.since) } : {}),
      ...(range.until ? { until: new Date(range.until) } : {}),
      limit: range.limit,
    });
    return { accountId: account.id, snapshots };
  },
);

/** `GET /v1/accounts/{id}/alerts`: the alert log, newest first, at most `limit` (1–MAX_LIST_LIMIT). */
export const accountAlerts = /* @__PURE__ */ useCase(
  async (
    services: Services,
    accountId: string,
    limit: number,
    caller: string,
  ): Promise<{ accountId: string; alerts: Alert[] }> => {
    const account = resolveAccount(services, accountId, "/path/id", caller);
    return { accountId: account.id, alerts: await services.store.listAlerts(account.id, limit) };
  },
);

/**
 * `POST /v1/accounts/{id}/refresh`: reads the balance from HeyGen now, as a scheduled poll does, and answers
 * the summary with `refreshed` and, when false, why (`reason`, and `refreshError` for a HeyGen failure).
 */
export const refreshAccount = /* @__PURE__ */ useCase(
  async (services: Services, reader: BalanceReader, accountId: string, caller: string) => {
    const account = resolveAccount(services, accountId, "/path/id", caller);
    const { state, refreshed, reason, error } = await reader.refreshOnRequest(account);
    return {
      refreshed,
      ...(reason ? { reason } : {}),
      ...(error ? { refreshError: error } : {}),
      ...accountSummary(services, account, state),
    };
  },
);
