/// <reference lib="dom" />
import type { Alert } from "#core/account";
import type { BalanceSnapshot, Unit } from "#core/balance";
import type { BudgetView } from "#core/budget";
import type { Forecast } from "#core/forecast";

/**
 * What the status page reads, from the same public HTTP API as every other client (README, "HTTP API").
 * Only the fields the page shows are typed.
 */

export interface AccountDetail {
  accountId: string;
  unit: Unit | null;
  remaining: number | null;
  reserved: number;
  reserveFloor: number;
  available: number | null;
  activeReservations: number;
  /** Added with the reservation listing (GET /v1/reservations); absent before. */
  oldestOpenHoldAgeSeconds?: number | null;
  alertLevel: string;
  monitorDegraded: boolean;
  lastFailure: { at: string; code: string; message: string } | null;
  balanceObservedAt: string | null;
  thresholds: { warning: number; critical: number };
  forecast: Forecast | null;
  /** The kill switch (POST /v1/accounts/{id}/pause): who paused the account, when and why; null when not. */
  paused?: { reason: string; at: string; by: string } | null;
}

export type Budget = Pick<
  BudgetView,
  | "id"
  | "limit"
  | "period"
  | "timeZone"
  | "periodStart"
  | "periodEnd"
  | "committed"
  | "held"
  | "available"
  | "mode"
  | "maxConcurrentHolds"
  | "openHolds"
  | "paused"
> &
  Partial<Pick<BudgetView, "pauseReason" | "pausedAt" | "pausedBy">>;

export type Snapshot = Pick<BalanceSnapshot, "observedAt" | "remaining">;

export type AlertEntry = Pick<Alert, "alertType" | "severity" | "subject" | "createdAt" | "status" | "test">;

export interface Reservation {
  id: string;
  labels?: Record<string, string>;
  amount: number;
  heldAmount?: number;
  unit?: Unit;
  status: string;
  createdAt: string;
  expiresAt: string;
}

/**
 * The page reads the API through the local stack's pass-through for it (local/status-page.ts,
 * PAGE_API_PREFIX), which needs no SigV4 signature even under `LOCAL_SIGV4=1`.
 */
const API = "/status/api";

async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(`${API}${path}`, { headers: { accept: "application/json" } });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

export const listAccounts = () =>
  getJson<{ accounts: { accountId: string }[] }>("/v1/accounts").then((r) =>
    r.accounts.map((a) => a.accountId),
  );

export const accountDetail = (id: string) => getJson<AccountDetail>(`/v1/accounts/${encodeURIComponent(id)}`);

export const latestAlerts = (id: string, limit: number) =>
  getJson<{ alerts: AlertEntry[] }>(`/v1/accounts/${encodeURIComponent(id)}/alerts?limit=${limit}`).then(
    (r) => r.alerts,
  );

/** The history endpoint answers at most 1,000 snapshots, newest first; older pages are asked for by `until`. */
const PAGE = 1000;
const MAX_PAGES = 10;

/** Every snapshot observed since `since`, oldest first. */
export async function historySince(id: string, since: Date): Promise<Snapshot[]> {
  const pages: Snapshot[][] = [];
  let until: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const query = new URLSearchParams({ since: since.toISOString(), limit: String(PAGE) });
    if (until) query.set("until", until);
    const { snapshots } = await getJson<{ snapshots: Snapshot[] }>(
      `/v1/accounts/${encodeURIComponent(id)}/history?${query}`,
    );
    pages.push(snapshots);
    const oldest = snapshots[snapshots.length - 1];
    if (snapshots.length < PAGE || !oldest) break;
    until = new Date(Date.parse(oldest.observedAt) - 1).toISOString();
  }
  return pages.flat().reverse();
}

/**
 * Whether a reading older than `before` exists: the history covers a window starting then (the newest such
 * reading, one item, is asked for).
 */
export async function historyBefore(id: string, before: Date): Promise<boolean> {
  const query = new URLSearchParams({ until: before.toISOString(), limit: "1" });
  const { snapshots } = await getJson<{ snapshots: Snapshot[] }>(
    `/v1/accounts/${encodeURIComponent(id)}/history?${query}`,
  );
  return snapshots.length > 0;
}

/** The account's budgets (GET /v1/accounts/{id}/budgets), each as used in its current period; by id. */
export const budgetsOf = (id: string) =>
  getJson<{ budgets: Budget[] }>(`/v1/accounts/${encodeURIComponent(id)}/budgets`).then((r) => r.budgets);

/**
 * Whether this API lists reservations (`GET /v1/reservations`), read from its OpenAPI document once, so that
 * a version without the listing is never asked (a 404 would be a console error in every browser).
 */
export async function canListReservations(): Promise<boolean> {
  try {
    const doc = await getJson<{ paths?: Record<string, Record<string, unknown>> }>("/openapi.json");
    return Boolean(doc.paths?.["/v1/reservations"]?.get);
  } catch {
    return false;
  }
}

/** The account's open holds, newest first; `undefined` when the API turns out not to list them. */
export async function openReservations(id: string, limit: number): Promise<Reservation[] | undefined> {
  const query = new URLSearchParams({ accountId: id, status: "held", limit: String(limit) });
  const response = await fetch(`${API}/v1/reservations?${query}`, {
    headers: { accept: "application/json" },
  });
  if (response.status === 404 || response.status === 405) return undefined;
  if (!response.ok) throw new Error(`/v1/reservations: HTTP ${response.status}`);
  return ((await response.json()) as { reservations: Reservation[] }).reservations;
}

/** `GET /v1/accounts/{id}/spend`'s answer (docs/spend.md), amounts in `unit`. */
export interface SpendReport {
  unit?: Unit;
  from: string;
  to: string;
  groupBy: string;
  total: number;
  count: number;
  groups: { key: string; amount: number; count: number }[];
  ungrouped?: { amount: number; count: number };
}

/** The account's committed spend since `from` (to now), summed by `groupBy` (`label:<key>`, `jobType`). */
export function spendReport(id: string, from: Date, groupBy: string): Promise<SpendReport> {
  const query = new URLSearchParams({ from: from.toISOString(), groupBy });
  return getJson<SpendReport>(`/v1/accounts/${encodeURIComponent(id)}/spend?${query}`);
}

/**
 * The label keys of the account's latest holds (one page of the listing, newest first), in the order first
 * seen: the spend report itself names no keys. Asked only of an API that lists reservations.
 */
export async function labelKeysOf(id: string, limit = 100): Promise<string[]> {
  const query = new URLSearchParams({ accountId: id, limit: String(limit) });
  const { reservations } = await getJson<{ reservations: Reservation[] }>(`/v1/reservations?${query}`);
  return [...new Set(reservations.flatMap((h) => Object.keys(h.labels ?? {})))];
}
