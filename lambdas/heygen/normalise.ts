import { BalanceSnapshot, type OtherPool, type Pool } from "#core/balance";
import type { SpendPool } from "#core/spend-pool";
import { dottedPath, issuesOf } from "#core/zod-issues";
import { HeyGenError } from "./errors.ts";
import { LenientReader } from "./lenient.ts";
import { classifyV2Pool, PLAN_CREDIT_POOL } from "./v2-pools.ts";

/** Where and when a body was read; the normaliser itself knows no clock. */
export interface Observation {
  accountId: string;
  observedAt: string;
}

/** v2 counts quota, not credits: 60 quota = 1 credit (docs/heygen-facts.md#the-legacy-balance-endpoint-v2). */
export const QUOTA_PER_CREDIT = 60;

type Candidate = Omit<BalanceSnapshot, "accountId" | "observedAt" | "source" | "warnings">;

const V3_WHAT = "v3 /users/me";
const V2_WHAT = "v2 /user/remaining_quota";

/**
 * `GET /v3/users/me` body -> snapshot (developers.heygen.com/reference/get-current-user; heygen-cli
 * gen/user.go). Essential: `data.billing_type` and the spendable amount with its unit of the matching billing
 * object; everything else is optional and dropped with a warning when unreadable. Throws `bad_response`
 * naming the JSON path of a missing or unreadable essential field.
 */
export function snapshotFromV3(body: unknown, observation: Observation): BalanceSnapshot {
  const read = new LenientReader(V3_WHAT);
  const data = read.requiredObject(field(body, "data"), "data");
  const candidate = fromV3Data(read, data);
  return finish({ ...observation, source: "v3", ...candidate }, read);
}

/**
 * `GET /v2/user/remaining_quota` body -> snapshot in credits (docs.heygen.com/reference/get-remaining-quota-v2).
 * `pool` is the account's `spendPool`:
 *
 * - `api_wallet` (default): essential `data.remaining_quota` (÷ 60 = credits, negative when overdrawn);
 *   `details` pools are classified by `classifyV2Pool`, `plan_credit` reported apart in whole credits
 *   (`otherPools`, kind `not_spent`); `used_quota` is accepted when present.
 * - `plan_credit`: essential `data.details.plan_credit` (whole credits, field case G8) is the spendable
 *   amount (`spendPool: "plan_credit"`); the API pools, `remaining_quota` included, are reported apart.
 *
 * Throws `bad_response` naming the path of a missing or unreadable essential field.
 */
export function snapshotFromV2(
  body: unknown,
  observation: Observation,
  pool: SpendPool = "api_wallet",
): BalanceSnapshot {
  const read = new LenientReader(V2_WHAT);
  const data = read.requiredObject(field(body, "data"), "data");
  const onPlan = pool === "plan_credit";
  // The API pool's total; on a plan-credit account only reported, so not essential there.
  const quota = onPlan
    ? read.optionalAmount(data.remaining_quota, "data.remaining_quota")
    : read.requiredNumber(data.remaining_quota, "data.remaining_quota");
  const details = onPlan
    ? read.requiredObject(data.details, "data.details")
    : (read.optionalObject(data.details, "data.details") ?? {});
  const planCredit = onPlan
    ? read.requiredNumber(details[PLAN_CREDIT_POOL], `data.details.${PLAN_CREDIT_POOL}`)
    : undefined;
  const { pools, otherPools } = v2Pools(read, details, onPlan);
  if (planCredit !== undefined) {
    // `remaining_quota` is the API pool (docs/heygen-facts.md#the-legacy-balance-endpoint-v2): shown apart when `details` does not name it `api`.
    if (quota !== undefined && !("api" in details)) {
      otherPools.unshift({
        name: "api",
        remaining: quota / QUOTA_PER_CREDIT,
        unit: "credits",
        kind: "not_spent",
      });
    }
    return finish(
      {
        ...observation,
        source: "v2",
        billingType: "legacy_quota",
        unit: "credits",
        remaining: planCredit,
        spendPool: "plan_credit",
        pools: [{ name: PLAN_CREDIT_POOL, remaining: planCredit, unit: "credits" }],
        ...(otherPools.length ? { otherPools } : {}),
      },
      read,
    );
  }
  const used = read.optionalAmount(data.used_quota, "data.used_quota");
  return finish(
    {
      ...observation,
      source: "v2",
      billingType: "legacy_quota",
      unit: "credits",
      remaining: (quota ?? 0) / QUOTA_PER_CREDIT,
      pools,
      ...(otherPools.length ? { otherPools } : {}),
      ...(used !== undefined ? { used: used / QUOTA_PER_CREDIT } : {}),
    },
    read,
  );
}

/**
 * The pools of a v2 body's `details` other than the spent plan credit: API pools (quota / 60 → credits) are
 * spent on a wallet account and reported apart (`not_spent`) on a plan-credit one; counts and unknown pools
 * are reported apart, unknown ones noted. Amounts that cannot be read are skipped with a note (LenientReader).
 */
function v2Pools(
  read: LenientReader,
  details: Record<string, unknown>,
  onPlan: boolean,
): { pools: Pool[]; otherPools: OtherPool[] } {
  const pools: Pool[] = [];
  const otherPools: OtherPool[] = [];
  for (const [name, raw] of Object.entries(details)) {
    if (onPlan && name === PLAN_CREDIT_POOL) continue;
    const path = `data.details.${name}`;
    const value = read.optionalAmount(raw, path);
    if (value === undefined) continue;
    const kind = classifyV2Pool(name);
    if (kind === "credits") {
      const credits = { name, remaining: value / QUOTA_PER_CREDIT, unit: "credits" as const };
      if (onPlan) otherPools.push({ ...credits, kind: "not_spent" });
      else pools.push(credits);
    } else if (kind === "plan_credit") {
      otherPools.push({ name, remaining: value, unit: "credits", kind: "not_spent" });
    } else if (kind === "count") otherPools.push({ name, remaining: value, unit: "count", kind });
    else {
      otherPools.push({ name, remaining: value, unit: "raw", kind });
      read.note(path, "unknown pool; kept as sent (unit raw), not counted as credits");
    }
  }
  return { pools, otherPools };
}

/**
 * Whole plan credits in a `GET /v2/user/remaining_quota` body (`data.details.plan_credit`), or undefined when
 * the body reports none. Never throws: the wallet's reading is looking for a hint, not a balance.
 */
export function planCreditIn(body: unknown): number | undefined {
  const details = field(field(body, "data"), "details");
  const value = field(details, PLAN_CREDIT_POOL);
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

function fromV3Data(read: LenientReader, data: Record<string, unknown>): Candidate {
  const billingType = data.billing_type;
  switch (billingType) {
    case "wallet":
      return fromWallet(read, read.requiredObject(data.wallet, "data.wallet"));
    case "subscription":
      return fromSubscription(read, read.requiredObject(data.subscription, "data.subscription"));
    case "usage_based":
      return fromUsageBased(read, read.requiredObject(data.usage_based, "data.usage_based"));
    default:
      throw read.fail(
        `data.billing_type: expected "wallet", "subscription" or "usage_based", got ${JSON.stringify(billingType) ?? "nothing"}`,
      );
  }
}

function fromWallet(read: LenientReader, wallet: Record<string, unknown>): Candidate {
  const currency = typeof wallet.currency === "string" ? wallet.currency.toLowerCase() : wallet.currency;
  if (currency !== "usd" && currency !== "credits") {
    throw read.fail(
      `data.wallet.currency: expected "usd" or "credits", got ${JSON.stringify(currency) ?? "nothing"}`,
    );
  }
  const remaining = read.requiredNumber(wallet.remaining_balance, "data.wallet.remaining_balance");
  const reload = read.optionalObject(wallet.auto_reload, "data.wallet.auto_reload");
  let autoReload: Candidate["autoReload"];
  if (reload) {
    const enabled = read.optionalBoolean(reload.enabled, "data.wallet.auto_reload.enabled");
    const thresholdUsd = read.optionalAmount(reload.threshold_usd, "data.wallet.auto_reload.threshold_usd");
    const amountUsd = read.optionalAmount(reload.amount_usd, "data.wallet.auto_reload.amount_usd");
    if (enabled === undefined) read.note("data.wallet.auto_reload", "no enabled flag; auto-reload dropped");
    else {
      autoReload = {
        enabled,
        ...(thresholdUsd !== undefined ? { thresholdUsd } : {}),
        ...(amountUsd !== undefined ? { amountUsd } : {}),
      };
    }
  }
  return {
    billingType: "wallet",
    unit: currency,
    remaining,
    pools: [],
    ...(autoReload ? { autoReload } : {}),
  };
}

/** The two pools HeyGen documents under `subscription.credits`; other keys are ignored. */
const SUBSCRIPTION_POOLS = ["premium_credits", "add_on_credits"] as const;

function fromSubscription(read: LenientReader, subscription: Record<string, unknown>): Candidate {
  const credits = read.requiredObject(subscription.credits, "data.subscription.credits");
  const pools: Pool[] = [];
  for (const name of SUBSCRIPTION_POOLS) {
    const path = `data.subscription.credits.${name}`;
    const pool = read.optionalObject(credits[name], path);
    if (!pool) continue;
    const remaining = pool.remaining;
    if (remaining === undefined || remaining === null) continue;
    if (typeof remaining !== "number" || !Number.isFinite(remaining)) {
      read.note(`${path}.remaining`, "not a number; pool dropped");
      continue;
    }
    const resetsAt = read.optionalTime(pool.resets_at, `${path}.resets_at`);
    pools.push({ name, remaining, unit: "credits", ...(resetsAt ? { resetsAt } : {}) });
  }
  // A subscription that reports no pool at all has told us nothing; reading it as 0 would raise a false alarm.
  if (pools.length === 0) {
    throw read.fail("data.subscription.credits: no credit pool reports a remaining amount");
  }
  const plan = read.optionalString(subscription.plan, "data.subscription.plan");
  return {
    billingType: "subscription",
    unit: "credits",
    remaining: pools.reduce((sum, pool) => sum + pool.remaining, 0),
    pools,
    ...(plan ? { plan } : {}),
  };
}

/**
 * `remaining_credits` (credits) when HeyGen sends it; otherwise the spending cap's headroom,
 * `spending_cap_usd − spending_current_usd` (usd), which is what heygen-cli PR #163 accounts report alone.
 */
function fromUsageBased(read: LenientReader, usage: Record<string, unknown>): Candidate {
  const spendingCapUsd = read.optionalAmount(usage.spending_cap_usd, "data.usage_based.spending_cap_usd");
  const spendingCurrentUsd = read.optionalAmount(
    usage.spending_current_usd,
    "data.usage_based.spending_current_usd",
  );
  // Not recorded (the snapshot has no field for it), but an unreadable value is still worth a warning.
  read.optionalAmount(usage.included_credits, "data.usage_based.included_credits");
  const spending = {
    ...(spendingCapUsd !== undefined ? { spendingCapUsd } : {}),
    ...(spendingCurrentUsd !== undefined ? { spendingCurrentUsd } : {}),
  };
  const credits = usage.remaining_credits;
  if (typeof credits === "number" && Number.isFinite(credits)) {
    return { billingType: "usage_based", unit: "credits", remaining: credits, pools: [], ...spending };
  }
  if (credits !== undefined && credits !== null) {
    read.note("data.usage_based.remaining_credits", "not a number; dropped");
  }
  if (spendingCapUsd !== undefined && spendingCurrentUsd !== undefined) {
    const remaining = Math.round((spendingCapUsd - spendingCurrentUsd) * 1e9) / 1e9;
    return { billingType: "usage_based", unit: "usd", remaining, pools: [], ...spending };
  }
  const missing = [
    "remaining_credits",
    ...(spendingCapUsd === undefined ? ["spending_cap_usd"] : []),
    ...(spendingCurrentUsd === undefined ? ["spending_current_usd"] : []),
  ];
  throw read.fail(
    `data.usage_based: no number in ${missing.join(", ")}; a usage_based account needs remaining_credits, ` +
      "or both spending_cap_usd and spending_current_usd",
  );
}

/** The last gate: whatever we built must be a valid snapshot, or the poll failed. */
function finish(candidate: Omit<BalanceSnapshot, "warnings">, read: LenientReader): BalanceSnapshot {
  const result = BalanceSnapshot.safeParse({
    ...candidate,
    ...(read.warnings.length ? { warnings: read.warnings } : {}),
  });
  if (result.success) return result.data;
  const issues = issuesOf(result.error)
    .slice(0, 5)
    .map((issue) => `${dottedPath(issue.path)}: ${issue.message}`);
  throw new HeyGenError(
    "bad_response",
    `HeyGen answered a body we cannot read as a balance: ${issues.join("; ")}`,
  );
}

function field(value: unknown, name: string): unknown {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>)[name] : undefined;
}
