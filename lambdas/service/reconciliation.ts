import { type CardAccuracy, cardAccuracy } from "#core/estimate-drift";
import { ledgerRangeOf, type Reconciliation, reconcile } from "#core/reconciliation";
import { computeBalanceView } from "#core/reservations";
import { mayUseAccount } from "./access.ts";
import { resolveAccount } from "./accounts.ts";
import { balanceRulesOf } from "./balance-rules.ts";
import { InvalidRequestError } from "./errors.ts";
import { MAX_LIST_LIMIT } from "./list-limit.ts";
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

/** A range of a report: ISO instants, `from` included, `to` excluded. */
export interface ReportRange {
  from: string;
  to: string;
}

/**
 * The reconciliation of one account over [from, to): one Query of its snapshots (the newest MAX_LIST_LIMIT of
 * the range; `window.firstSnapshotAt` says where they began) and one of its ledger from `settleSeconds` before
 * `from`. Store errors are raised.
 */
export async function reconcileAccount(
  services: ReconcilePorts,
  accountId: string,
  range: { from: Date; to: Date; settleSeconds: number },
): Promise<Reconciliation> {
  const { from, to, settleSeconds } = range;
  const [snapshots, entries] = await Promise.all([
    services.store.listSnapshots(accountId, { since: from, until: to, limit: MAX_LIST_LIMIT }),
    services.store.listSpend(accountId, ledgerRangeOf(from, to, settleSeconds)),
  ]);
  return reconcile({ snapshots, entries, from, to, settleSeconds });
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
 * `GET /v1/accounts/{id}/reconciliation?from=&to=`. Raises UnknownAccountError, AccessDeniedError, and
 * InvalidRequestError naming `/query/from` when `from` is not before `to`.
 */
export const accountReconciliation = useCase(
  async (
    services: Services,
    accountId: string,
    range: ReportRange,
    caller: string,
  ): Promise<ReconciliationAnswer> => {
    const account = resolveAccount(services, accountId, "/path/id", caller);
    const { from, to } = validRange(range);
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
 * of every account `caller` may use (one ledger Query per account). Raises InvalidRequestError naming
 * `/query/from` when `from` is not before `to`.
 */
export const rateCardAccuracy = useCase(
  async (services: Services, range: ReportRange, caller: string): Promise<{ cards: CardAccuracy[] }> => {
    validRange(range);
    const accounts = services.config.accounts.filter((account) => mayUseAccount(account, caller));
    const ledgers = await Promise.all(accounts.map((account) => services.store.listSpend(account.id, range)));
    return { cards: cardAccuracy(ledgers.flat()) };
  },
);

/** The range as dates; a `from` not before `to` is a 400 naming `/query/from`. */
function validRange(range: ReportRange): { from: Date; to: Date } {
  const from = new Date(range.from);
  const to = new Date(range.to);
  if (!(from.getTime() < to.getTime())) {
    throw new InvalidRequestError(
      [{ pointer: "/query/from", detail: `must be before to (${range.to})` }],
      "query",
    );
  }
  return { from, to };
}
