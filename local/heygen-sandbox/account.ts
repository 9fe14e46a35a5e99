import { z } from "zod";

const amount = z.number().finite().nonnegative();

/** A simulated HeyGen account, keyed by its API key. Amounts are in the account's own unit. */
export const SandboxAccount = z.strictObject({
  apiKey: z.string().min(1),
  billingType: z.enum(["wallet", "subscription", "usage_based"]),
  /** Wallet only; default `usd`. */
  currency: z.enum(["usd", "credits"]).optional(),
  /**
   * The main balance: wallet `remaining_balance`, subscription `premium_credits.remaining`, usage-based
   * `remaining_credits`. The v2 endpoint reports it as quota (× 60).
   */
  balance: amount,
  /** Subscription: the `add_on_credits` pool, absent when undefined. */
  addOnCredits: amount.optional(),
  /** Subscription: `premium_credits.resets_at` (and the add-on pool's). */
  resetsAt: z.iso.datetime({ offset: true }).optional(),
  plan: z.string().min(1).optional(),
  /** Wallet: `auto_reload`; default disabled. */
  autoReload: z
    .strictObject({ enabled: z.boolean(), thresholdUsd: amount.optional(), amountUsd: amount.optional() })
    .optional(),
  /** Usage-based extras. */
  includedCredits: amount.optional(),
  spendingCapUsd: amount.optional(),
  spendingCurrentUsd: amount.optional(),
  /**
   * v2 only: extra `details` pools, in credits, next to `api`: sent × 60 as quota, except `plan_credit`, which
   * HeyGen sends in whole credits (field case G8).
   */
  pools: z.record(z.string(), amount).optional(),
  /** v2 only: sent as `used_quota` (× 60) when set; HeyGen documents no such field. */
  usedCredits: amount.optional(),
  /**
   * The rate card a successful video is charged by (its id, e.g. the guard's `accounts[].rateCard`);
   * default the guard's default card for this balance (pricing.ts).
   */
  rateCard: z.string().min(1).max(64).optional(),
  /** false: `/v3/users/me` answers 404, as for an account not yet on v3. Default true. */
  v3Enabled: z.boolean().optional(),
});
export type SandboxAccount = z.infer<typeof SandboxAccount>;

const QUOTA_PER_CREDIT = 60;

/** Replaces the main balance in a body, so faults can corrupt it; identity by default. */
export type BalanceRewrite = (value: number) => unknown;
const unchanged: BalanceRewrite = (value) => value;

/** The `GET /v3/users/me` body: only the object matching `billing_type` is filled, the others are null. */
export function v3UserBody(account: SandboxAccount, rewrite: BalanceRewrite = unchanged) {
  const user = {
    username: "sandbox_user",
    email: "sandbox@example.com",
    first_name: "Sandbox",
    last_name: "User",
    billing_type: account.billingType,
    wallet: null as unknown,
    subscription: null as unknown,
    usage_based: null as unknown,
  };
  if (account.billingType === "wallet") user.wallet = walletObject(account, rewrite);
  if (account.billingType === "subscription") user.subscription = subscriptionObject(account, rewrite);
  if (account.billingType === "usage_based") user.usage_based = usageBasedObject(account, rewrite);
  return { data: user };
}

function walletObject(account: SandboxAccount, rewrite: BalanceRewrite) {
  const reload = account.autoReload ?? { enabled: false };
  return {
    currency: account.currency ?? "usd",
    remaining_balance: rewrite(account.balance),
    auto_reload: {
      enabled: reload.enabled,
      threshold_usd: reload.thresholdUsd ?? null,
      amount_usd: reload.amountUsd ?? null,
    },
  };
}

function subscriptionObject(account: SandboxAccount, rewrite: BalanceRewrite) {
  const resetsAt = account.resetsAt ?? null;
  return {
    plan: account.plan ?? "pro",
    credits: {
      premium_credits: { remaining: rewrite(account.balance), resets_at: resetsAt },
      add_on_credits:
        account.addOnCredits === undefined ? null : { remaining: account.addOnCredits, resets_at: resetsAt },
    },
  };
}

function usageBasedObject(account: SandboxAccount, rewrite: BalanceRewrite) {
  return {
    included_credits: account.includedCredits ?? null,
    remaining_credits: rewrite(account.balance),
    spending_cap_usd: account.spendingCapUsd ?? null,
    spending_current_usd: account.spendingCurrentUsd ?? null,
  };
}

/**
 * The `GET /v2/user/remaining_quota` body: credits × 60, `details` holding `api` and any extra pools
 * (`plan_credit` unscaled).
 */
export function v2QuotaBody(
  account: SandboxAccount,
  options: { rewrite?: BalanceRewrite; emptyDetails?: boolean } = {},
) {
  const quota = toQuota(account.balance);
  const details = options.emptyDetails
    ? {}
    : {
        api: quota,
        ...Object.fromEntries(
          Object.entries(account.pools ?? {}).map(([name, n]) => [
            name,
            name === "plan_credit" ? n : toQuota(n),
          ]),
        ),
      };
  return {
    error: null,
    data: {
      remaining_quota: (options.rewrite ?? unchanged)(quota),
      details,
      ...(account.usedCredits === undefined ? {} : { used_quota: toQuota(account.usedCredits) }),
    },
  };
}

function toQuota(credits: number): number {
  return Math.round(credits * QUOTA_PER_CREDIT);
}
