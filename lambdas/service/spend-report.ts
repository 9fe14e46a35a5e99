import { type SpendGrouping, type SpendTotals, sumSpend } from "#core/spend-report";
import { resolveAccount } from "./accounts.ts";
import { requestedRange } from "./report-range.ts";
import type { Services } from "./services.ts";
import { useCase } from "./use-case.ts";

/** `GET /v1/accounts/{id}/spend`'s answer (docs/api.md): the range, its sums and its groups. */
export interface SpendReport extends SpendTotals {
  accountId: string;
  from: string;
  to: string;
  /** The grouping as asked (`label:campaign`, `day`, …). */
  groupBy: string;
}

/**
 * `GET /v1/accounts/{id}/spend`: the account's committed spend in `[from, to)` (default the last 30 days),
 * summed per group of `grouping`, from the spend ledger alone (one paged Query of the range, docs/spend.md).
 *
 * @throws UnknownAccountError, AccessDeniedError (resolveAccount); InvalidRequestError naming `/query/from`
 *   or `/query/to` for a reversed range or one over MAX_REPORT_DAYS
 */
export const spendReport = /* @__PURE__ */ useCase(
  async (
    services: Services,
    accountId: string,
    query: { from?: string; to?: string; groupBy: string; grouping: SpendGrouping },
    caller: string,
  ): Promise<SpendReport> => {
    const account = resolveAccount(services, accountId, "/path/id", caller);
    const range = requestedRange(services, query);
    const entries = await services.store.listSpend(account.id, range);
    const totals = sumSpend(entries, query.grouping);
    // A range without a commit still says its unit: the account's, as its latest balance gives it.
    const unit = totals.unit ?? (await services.store.getAccountState(account.id))?.latest?.unit;
    return {
      accountId: account.id,
      ...range,
      groupBy: query.groupBy,
      ...totals,
      ...(unit ? { unit } : {}),
    };
  },
);
