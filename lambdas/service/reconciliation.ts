import type { BalanceSnapshot } from "#core/balance";
import { type CardAccuracy, cardAccuracy } from "#core/estimate-drift";
import { ledgerRangeOf, type Reconciliation, reconcile } from "#core/reconciliation";
import { computeBalanceView } from "#core/reservations";
import { mayUseAccount } from "./access.ts";
import { resolveAccount } from "./accounts.ts";
import { balanceRulesOf } from "./balance-rules.ts";
import { MAX_LIST_LIMIT } from "./list-limit.ts";
import { requestedRange } from "./report-range.ts";
import type { Services } from "./services.ts";
import type { AccountStore } from "./store-port.ts";
import { useCase } from "./use-case.ts";

/**
 * Reconciliation and estimate accuracy (docs/spend.md#reconciliation, #estimate-drift): the use cases behind
 * `GET /v1/accounts/{id}/reconciliation` and `GET /v1/rate-cards/accuracy`, and the reading the poll's spend
 * alerts make (spend-alerts.ts). The rules are core/reconciliation.ts and core/estimate-drift.ts.
 */

/** The ports a reconciliation reads: the balance history and the spend ledger. */
export type ReconcilePorts = { store: Pick<AccountStore, "listSnapshots" | "listSpend"> };

/** A report's range as the route parsed it: ISO instants, `from` included, `to` excluded (core/report-range.ts). */
export interface RangeQuery {
  from?: string | undefined;
  to?: string | undefined;
}

/**
 * The reconciliation of one account over [from, to): its snapshots of the range (MAX_LIST_LIMIT at a time,
 * newest first, up to MAX_SNAPSHOT_PAGES of them) and one Query of its ledger from `settleSeconds` before
 * `from`. Store errors are raised.
 */
export async function reconcileAccount(
  services: ReconcilePorts,
  accountId: string,
  range: { from: Date; to: Date; settleSeconds: number },
): Promise<Reconciliation> {
  const { from, to, settleSeconds } = range;
  const [snapshots, entries] = await Promise.all([
    snapshotsBetween(services, accountId, from, to),
    services.store.listSpend(accountId, ledgerRangeOf(from, to, settleSeconds)),
  ]);
  return reconcile({ snapshots, entries, from, to, settleSeconds });
}

/**
 * Pages of MAX_LIST_LIMIT snapshots a reconciliation reads at most: 30,000 snapshots, a 92-day range polled
 * every 5 minutes (26,496) with room. Past it the oldest are left out, and `window.firstSnapshotAt` says where
 * the snapshots read began.
 */
export const MAX_SNAPSHOT_PAGES = 30;

/** Every snapshot observed in [from, to), oldest first, read backwards a page at a time. */
export async function snapshotsBetween(
  services: ReconcilePorts,
  accountId: string,
  from: Date,
  to: Date,
): Promise<BalanceSnapshot[]> {
  const pages: BalanceSnapshot[][] = [];
  let until = new Date(to.getTime() - 1);
  for (let page = 0; page < MAX_SNAPSHOT_PAGES && until >= from; page++) {
    const snapshots = await services.store.listSnapshots(accountId, {
      since: from,
      until,
      limit: MAX_LIST_LIMIT,
    });
    pages.push(snapshots);
    const oldest = snapshots.at(-1);
    if (snapshots.length < MAX_LIST_LIMIT || oldest === undefined) break;
    until = new Date(Date.parse(oldest.observedAt) - 1);
  }
  return pages.flat().reverse();
}

/** `GET /v1/accounts/{id}/reconciliation`'s answer: the reconciliation, the account and what it holds now. */
export type ReconciliationAnswer = Reconciliation & {
  accountId: string;
  /**
   * What the guard counts against the balance now (open holds, and commits HeyGen's balance may not show yet):
   * a job HeyGen charges when it starts shows in `observed` while its hold is still held here.
   */
  held: number;
};

/**
 * `GET /v1/accounts/{id}/reconciliation?from=&to=` (default the 30 days to now, as every report).
 *
 * @throws UnknownAccountError, AccessDeniedError (resolveAccount); InvalidRequestError naming `/query/from` (or
 *   `/query/to`) for a reversed range or one over MAX_REPORT_DAYS
 */
export const accountReconciliation = /* @__PURE__ */ useCase(
  async (
    services: Services,
    accountId: string,
    query: RangeQuery,
    caller: string,
  ): Promise<ReconciliationAnswer> => {
    const account = resolveAccount(services, accountId, "/path/id", caller);
    const { from, to } = validRange(services, query);
    const [reconciliation, state] = await Promise.all([
      reconcileAccount(services, account.id, {
        from,
        to,
        settleSeconds: services.config.reservations.settleSeconds,
      }),
      services.store.getAccountState(account.id),
    ]);
    const view = state
      ? computeBalanceView(state, balanceRulesOf(services, account, services.now()))
      : undefined;
    return { accountId: account.id, ...reconciliation, held: view?.reserved ?? 0 };
  },
);

/**
 * `GET /v1/rate-cards/accuracy?from=&to=`: each card's accuracy over the duration-priced commits in [from, to)
 * (default the 30 days to now) of every account `caller` may use (one ledger Query per account).
 *
 * @throws InvalidRequestError naming `/query/from` (or `/query/to`) for a reversed range or one over
 *   MAX_REPORT_DAYS
 */
export const rateCardAccuracy = /* @__PURE__ */ useCase(
  async (services: Services, query: RangeQuery, caller: string): Promise<{ cards: CardAccuracy[] }> => {
    const { from, to } = validRange(services, query);
    const range = { from: from.toISOString(), to: to.toISOString() };
    const accounts = services.config.accounts.filter((account) => mayUseAccount(account, caller));
    const ledgers = await Promise.all(accounts.map((account) => services.store.listSpend(account.id, range)));
    return { cards: cardAccuracy(ledgers.flat()) };
  },
);

/** The range asked for as dates; a refused one is a 400 naming the query parameter (report-range.ts). */
function validRange(services: Pick<Services, "now">, query: RangeQuery): { from: Date; to: Date } {
  const range = requestedRange(services, query);
  return { from: new Date(range.from), to: new Date(range.to) };
}
