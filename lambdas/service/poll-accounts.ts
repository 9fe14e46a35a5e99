import type { AccountConfig } from "#config/config";
import { POLL_LIMITS, type PollLimits } from "#config/poller";
import { type PollResult, pollAccount, type ReadingPorts } from "./poll-account.ts";

export { POLL_LIMITS, type PollLimits };

/**
 * Use case: polls every configured account for one schedule tick, `limits.concurrency` at a time, each HeyGen read
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
