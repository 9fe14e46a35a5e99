import type { AccountConfig } from "#config/config";
import { type PollResult, pollAccount, type ReadingPorts } from "./poll-account.ts";

/** HeyGen calls in flight at once; 100 accounts at 150 ms each take ~1.5 s, well inside a Lambda timeout. */
export const POLL_CONCURRENCY = 10;

/** Polls every configured account for one schedule tick; one account failing never stops the others. */
export async function pollAccounts(
  services: ReadingPorts,
  tick: string,
  accounts: readonly AccountConfig[] = services.config.accounts,
  concurrency = POLL_CONCURRENCY,
): Promise<PollResult[]> {
  const results: PollResult[] = new Array(accounts.length);
  let next = 0;
  const worker = async () => {
    while (next < accounts.length) {
      const index = next++;
      const account = accounts[index] as AccountConfig;
      try {
        results[index] = await pollAccount(services, account, { tick });
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
