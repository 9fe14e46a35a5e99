import { SpendPool } from "./spend-pool.ts";
import * as z from "./zod.ts";

/** The unit a balance (and a rate card) is counted in. */
export const Unit = z.enum(["usd", "credits"]);
export type Unit = z.infer<typeof Unit>;

export const BillingType = z.enum(["wallet", "subscription", "usage_based", "legacy_quota"]);
export type BillingType = z.infer<typeof BillingType>;

const amount = z.number().check(z.nonnegative());
/** A balance may be below zero: usage that completes after it reached zero overdraws it (docs/heygen-facts.md#replies-differ-from-the-schemas). */
const balance = z.number();
const isoTime = z.iso.datetime({ offset: true });

/** A named part of the balance (premium credits, add-on credits, the v2 credit pools, ...). */
export const Pool = z.strictObject({
  name: z.string().check(z.minLength(1)),
  remaining: balance,
  unit: Unit,
  resetsAt: z.optional(isoTime),
});
export type Pool = z.infer<typeof Pool>;

/**
 * A v2 `details` pool that is not part of the spendable balance (lambdas/heygen/v2-pools.ts): credits of a
 * pool the account is not configured to spend (`not_spent`: `plan_credit` for an `api_wallet` account, the API
 * pools for a `plan_credit` one), a count such as seats (`count`), or a pool we do not know (`raw`, as sent).
 * Never summed into `remaining`, never shown as credits unless its unit says so. `not_api_spendable` is the
 * kind snapshots recorded before field case G8 gave `plan_credit`; it is still read, never written.
 */
export const OtherPool = z.strictObject({
  name: z.string().check(z.minLength(1)),
  remaining: amount,
  unit: z.enum(["credits", "count", "raw"]),
  kind: z.enum(["not_spent", "not_api_spendable", "count", "unknown"]),
});
export type OtherPool = z.infer<typeof OtherPool>;

/**
 * One normalised reading of an account's HeyGen balance (docs/heygen-readings.md). Only the spendable amount and its unit
 * are essential: a reply without them is a failed poll, never a snapshot.
 */
export const BalanceSnapshot = z.strictObject({
  accountId: z.string().check(z.minLength(1)),
  observedAt: isoTime,
  source: z.enum(["v3", "v2"]),
  billingType: BillingType,
  unit: Unit,
  /** The spendable total in `unit`; negative when overdrawn (the debt is `-remaining`). */
  remaining: balance,
  /**
   * The pool `remaining` counts (config `spendPool`): set only for `plan_credit` (v2 `details.plan_credit`,
   * whole credits); absent means the API wallet, as every reading before it.
   */
  spendPool: z.optional(SpendPool),
  pools: z.array(Pool),
  otherPools: z.optional(z.array(OtherPool)),
  used: z.optional(amount),
  plan: z.optional(z.string()),
  spendingCapUsd: z.optional(amount),
  spendingCurrentUsd: z.optional(amount),
  autoReload: z.optional(
    z.strictObject({
      enabled: z.boolean(),
      thresholdUsd: z.optional(amount),
      amountUsd: z.optional(amount),
    }),
  ),
  /** Optional fields of HeyGen's reply that did not parse and were dropped, each starting with its JSON path. */
  warnings: z.optional(z.array(z.string())),
});
export type BalanceSnapshot = z.infer<typeof BalanceSnapshot>;
