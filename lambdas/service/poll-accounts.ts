import type { AccountConfig } from "#config/config";
import { type PollResult, pollAccount, type ReadingPorts } from "./poll-account.ts";

/** How one scheduled poll spreads over the accounts, so that no slow account holds the others up. */
export interface PollLimits {
  /** Accounts read at once. */
  concurrency: number;
  /** Longest wait for one account's HeyGen answer, in ms; past it the account's reading fails (`timeout`). */
  accountTimeoutMs: number;
  /** Time the whole run may take, in ms; accounts whose turn comes later are recorded as failed unasked. */
  runBudgetMs: number;
}

/** The poller Lambda's timeout (infra/quota-guard.ts): the run budget plus room for cold start and the tail. */
export const POLLER_TIMEOUT_SECONDS = 180;

/**
 * A hanging HeyGen costs one read at most 15.6 s (the client's 3 requests × 5 s + backoff), so 500 accounts
 * take ⌈500 / 50⌉ = 10 rounds × 15.6 s = 156 s, inside the 160 s budget. One account may take up to 40 s: a
 * `Retry-After` up to HeyGen's CLI's 30 s is waited out (field case F3) with a request either side. Healthy,
 * 500 accounts take ~500 × 0.2 s / 50 = 2 s. Past the budget no account is asked any more, so the run ends
 * inside the Lambda's timeout whatever HeyGen does. Arithmetic in docs/design-notes.md.
 */
export const POLL_LIMITS: PollLimits = {
  concurrency: 50,
  accountTimeoutMs: 40_000,
  runBudgetMs: (POLLER_TIMEOUT_SECONDS - 20) * 1000,
};

/**
 * Polls every configured account for one schedule tick, `limits.concurrency` at a time, each HeyGen read
 * within `accountTimeoutMs` and the whole run within `runBudgetMs`: a slow or hanging account becomes that
 * account's recorded `timeout` failure, never a run that hangs. One account failing never stops the others.
 */
export async function pollAccounts(
  services: ReadingPorts,
  tick: string,
  accounts: readonly AccountConfig[] = services.config.accounts,
  limits: Partial<PollLimits> = {},
): Promise<PollResult[]> {
  const { concurrency, accountTimeoutMs, runBudgetMs } = { ...POLL_LIMITS, ...limits };
  // Wall-clock time, not services.now(): the deadlines are real waits, whatever clock the readings judge by.
  const runEndsAt = performance.now() + runBudgetMs;
  const results: PollResult[] = new Array(accounts.length);
  let next = 0;
  const worker = async () => {
    while (next < accounts.length) {
      const index = next++;
      const account = accounts[index] as AccountConfig;
      const readTimeoutMs = Math.min(accountTimeoutMs, Math.floor(runEndsAt - performance.now()));
      try {
        results[index] = await pollAccount(services, account, { tick }, { readTimeoutMs });
      } catch (cause) {
        const message = cause instanceof Error ? cause.message : String(cause);
        services.log.error("poll failed", { accountId: account.id, error: message });
        results[index] = {
          accountId: account.id,
          status: "failed",
          error: { code: "internal", message },
          alerts: [],
        };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, accounts.length) }, worker));
  return results;
}
