import { type EstimateRequest, type JobType, jobsOf } from "./job-spec.ts";
import * as z from "./zod.ts";

/**
 * Which HeyGen pool an account's jobs draw on (docs/heygen-facts.md#which-pool-pays, field cases F8 and G8):
 *
 * - `api_wallet`: the API balance, as `GET /v3/users/me` reports it (`wallet`, `subscription`, `usage_based`)
 *   or, on v2, `remaining_quota` ÷ 60. The default, and what HeyGen documents for an API key.
 * - `plan_credit`: the web plan's credits, read only from v2 `details.plan_credit` (whole credits). One live
 *   account's API-key Video Agent renders drew this pool while v3 showed only a near-empty wallet (G8).
 */
export const SpendPool = z.enum(["api_wallet", "plan_credit"]);
export type SpendPool = z.infer<typeof SpendPool>;

export const DEFAULT_SPEND_POOL: SpendPool = "api_wallet";

/** The part of an account's config that says which pool pays. */
export interface SpendPoolChoice {
  spendPool?: SpendPool | undefined;
  spendPoolByJobType?: Partial<Record<JobType, SpendPool>> | undefined;
}

/** The pool the account's balance is read from and recorded in (its `spendPool`, else the API wallet). */
export function accountPool(account: SpendPoolChoice): SpendPool {
  return account.spendPool ?? DEFAULT_SPEND_POOL;
}

/** The pool a job of `type` draws on for the account: `spendPoolByJobType[type]`, else the account's pool. */
export function jobPool(account: SpendPoolChoice, type: JobType): SpendPool {
  return account.spendPoolByJobType?.[type] ?? accountPool(account);
}

/**
 * The pool a recorded balance counts: the snapshot's `spendPool` (absent: the API wallet, as every snapshot
 * before G8), else, with no snapshot yet, the account's configured pool.
 */
export function balancePool(
  snapshot: { spendPool?: SpendPool | undefined } | undefined,
  account: SpendPoolChoice,
): SpendPool {
  return snapshot ? (snapshot.spendPool ?? DEFAULT_SPEND_POOL) : accountPool(account);
}

/** A job of the request whose pool is not the pool the balance is recorded in. */
export interface PoolMismatch {
  /** JSON pointer to the job's `type` (`/type`, `/jobs/2/type`). */
  pointer: string;
  type: JobType;
  jobPool: SpendPool;
  balancePool: SpendPool;
}

/**
 * The first job of `request` that draws on another pool than `balancePool` (the recorded balance's), else
 * undefined. Such a job cannot be checked or held against that balance: its credit is counted elsewhere.
 */
export function poolMismatch(
  request: EstimateRequest,
  account: SpendPoolChoice,
  balancePool: SpendPool,
): PoolMismatch | undefined {
  for (const { job, pointer } of jobsOf(request)) {
    const pool = jobPool(account, job.type);
    if (pool !== balancePool)
      return { pointer: `${pointer}/type`, type: job.type, jobPool: pool, balancePool };
  }
  return undefined;
}
