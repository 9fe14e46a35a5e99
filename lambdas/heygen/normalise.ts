import type { z } from "zod";
import { BalanceSnapshot, type Pool } from "#core/balance";
import { HeyGenError } from "./errors.ts";
import { V2QuotaResponse, V3UserResponse } from "./responses.ts";

/** Where and when a body was read; the normaliser itself knows no clock. */
export interface Observation {
  accountId: string;
  observedAt: string;
}

/** v2 counts quota, not credits: 60 quota = 1 credit (design §2.3). */
export const QUOTA_PER_CREDIT = 60;

type V3Data = V3UserResponse["data"];
type Candidate = Omit<BalanceSnapshot, "accountId" | "observedAt" | "source">;

/** `GET /v3/users/me` body -> snapshot; throws `bad_response` naming the offending field. */
export function snapshotFromV3(body: unknown, observation: Observation): BalanceSnapshot {
  const { data } = parseOrThrow(V3UserResponse, body, "v3 /users/me");
  return finish({ ...observation, source: "v3", ...fromV3Data(data) });
}

/** `GET /v2/user/remaining_quota` body -> snapshot in credits; throws `bad_response` naming the field. */
export function snapshotFromV2(body: unknown, observation: Observation): BalanceSnapshot {
  const { data } = parseOrThrow(V2QuotaResponse, body, "v2 /user/remaining_quota");
  const pools: Pool[] = Object.entries(data.details ?? {})
    .filter((entry): entry is [string, number] => entry[1] !== null)
    .map(([name, quota]) => ({ name, remaining: quota / QUOTA_PER_CREDIT, unit: "credits" }));
  return finish({
    ...observation,
    source: "v2",
    billingType: "legacy_quota",
    unit: "credits",
    remaining: data.remaining_quota / QUOTA_PER_CREDIT,
    pools,
    ...(isNumber(data.used_quota) ? { used: data.used_quota / QUOTA_PER_CREDIT } : {}),
  });
}

function fromV3Data(data: V3Data): Candidate {
  switch (data.billing_type) {
    case "wallet":
      return fromWallet(data.wallet);
    case "subscription":
      return fromSubscription(data.subscription);
    case "usage_based":
      return fromUsageBased(data.usage_based);
  }
}

function fromWallet(wallet: Extract<V3Data, { billing_type: "wallet" }>["wallet"]): Candidate {
  const reload = wallet.auto_reload;
  return {
    billingType: "wallet",
    unit: wallet.currency,
    remaining: wallet.remaining_balance,
    pools: [],
    ...(reload
      ? {
          autoReload: {
            enabled: reload.enabled,
            ...(isNumber(reload.threshold_usd) ? { thresholdUsd: reload.threshold_usd } : {}),
            ...(isNumber(reload.amount_usd) ? { amountUsd: reload.amount_usd } : {}),
          },
        }
      : {}),
  };
}

function fromSubscription(
  subscription: Extract<V3Data, { billing_type: "subscription" }>["subscription"],
): Candidate {
  const pools = Object.entries(subscription.credits).flatMap(([name, pool]): Pool[] =>
    pool && isNumber(pool.remaining)
      ? [
          {
            name,
            remaining: pool.remaining,
            unit: "credits",
            ...(pool.resets_at ? { resetsAt: pool.resets_at } : {}),
          },
        ]
      : [],
  );
  // A subscription that reports no pool at all has told us nothing; reading it as 0 would raise a false alarm.
  if (pools.length === 0) {
    throw badResponse("v3 /users/me: data.subscription.credits: no credit pool reports a remaining amount");
  }
  return {
    billingType: "subscription",
    unit: "credits",
    remaining: pools.reduce((sum, pool) => sum + pool.remaining, 0),
    pools,
    ...(subscription.plan ? { plan: subscription.plan } : {}),
  };
}

function fromUsageBased(usage: Extract<V3Data, { billing_type: "usage_based" }>["usage_based"]): Candidate {
  return {
    billingType: "usage_based",
    unit: "credits",
    remaining: usage.remaining_credits,
    pools: [],
    ...(isNumber(usage.spending_cap_usd) ? { spendingCapUsd: usage.spending_cap_usd } : {}),
    ...(isNumber(usage.spending_current_usd) ? { spendingCurrentUsd: usage.spending_current_usd } : {}),
  };
}

/** The last gate: whatever we built must be a valid snapshot, or the poll failed. */
function finish(candidate: unknown): BalanceSnapshot {
  return parseOrThrow(BalanceSnapshot, candidate, "normalised snapshot");
}

function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length ? issue.path.join(".") : "(body)"}: ${issue.message}`);
  throw badResponse(`${what}: ${issues.join("; ")}`);
}

function badResponse(detail: string): HeyGenError {
  return new HeyGenError("bad_response", `HeyGen answered a body we cannot read as a balance: ${detail}`);
}

function isNumber(value: number | null | undefined): value is number {
  return typeof value === "number";
}
