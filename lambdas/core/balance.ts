import * as z from "zod";

/** The unit a balance (and a rate card) is counted in. */
export const Unit = z.enum(["usd", "credits"]);
export type Unit = z.infer<typeof Unit>;

export const BillingType = z.enum(["wallet", "subscription", "usage_based", "legacy_quota"]);
export type BillingType = z.infer<typeof BillingType>;

const amount = z.number().finite().nonnegative();
const isoTime = z.iso.datetime({ offset: true });

/** A named part of the balance (premium credits, add-on credits, the v2 `details` pools, ...). */
export const Pool = z.strictObject({
  name: z.string().min(1),
  remaining: amount,
  unit: Unit,
  resetsAt: isoTime.optional(),
});
export type Pool = z.infer<typeof Pool>;

/**
 * One normalised reading of an account's HeyGen balance (design §5). A HeyGen response that does not
 * parse into this shape is a failed poll, never a snapshot.
 */
export const BalanceSnapshot = z.strictObject({
  accountId: z.string().min(1),
  observedAt: isoTime,
  source: z.enum(["v3", "v2"]),
  billingType: BillingType,
  unit: Unit,
  /** The spendable total in `unit`. */
  remaining: amount,
  pools: z.array(Pool),
  used: amount.optional(),
  plan: z.string().optional(),
  spendingCapUsd: amount.optional(),
  spendingCurrentUsd: amount.optional(),
  autoReload: z
    .strictObject({
      enabled: z.boolean(),
      thresholdUsd: amount.optional(),
      amountUsd: amount.optional(),
    })
    .optional(),
});
export type BalanceSnapshot = z.infer<typeof BalanceSnapshot>;
