import type { SpendEntry } from "#core/spend-ledger";

/** A time range of the spend ledger: ISO times, `from` included, `to` excluded. */
export interface SpendRange {
  from: string;
  to: string;
}

/**
 * The spend ledger as the report use cases read it (its entries are written by the commits themselves, in
 * their own transactions: core/spend-ledger.ts).
 */
export interface SpendLedger {
  /** The account's entries committed in `range`, oldest first (every page of the range). */
  listSpend(accountId: string, range: SpendRange): Promise<SpendEntry[]>;
}
