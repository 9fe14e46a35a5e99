import type { AccountConfig } from "#config/config";
import type { LocalStack } from "#local/stack";
import { POLL_LIMITS, pollAccounts } from "#service/poll-accounts";
import { nsToMs } from "./stats.ts";

export interface PollScalingFigure {
  accounts: number;
  wallMs: number;
  heygenCalls: number;
  recorded: number;
  /** ⌈accounts / concurrency⌉ × latency: what HeyGen's latency alone costs at this concurrency bound. */
  latencyFloorMs: number;
}

export interface PollScalingFigures {
  concurrency: number;
  runs: PollScalingFigure[];
}

/**
 * Wall time of one scheduled poll of the first n accounts, for each n, with the poller's own code and
 * concurrency bound. Every account is polled once before, so the runs measure the steady state (state
 * items exist, HTTP connections are open), as every poll after a deployment's first does.
 */
export async function measurePollerScaling(
  stack: LocalStack,
  accounts: readonly AccountConfig[],
  counts: readonly number[],
  latencyMs: number,
): Promise<PollScalingFigures> {
  const sandbox = stack.sandbox;
  if (!sandbox) throw new Error("the poller scaling bench needs the HeyGen sandbox");
  const largest = counts.at(-1) ?? 0;
  if (accounts.length < largest)
    throw new Error(`need ${largest} accounts, the config has ${accounts.length}`);
  await pollAccounts(stack.services, new Date().toISOString(), accounts.slice(0, largest));

  const runs: PollScalingFigure[] = [];
  for (const count of counts) {
    sandbox.resetCalls();
    const t0 = process.hrtime.bigint();
    const results = await pollAccounts(stack.services, new Date().toISOString(), accounts.slice(0, count));
    const wallMs = nsToMs(process.hrtime.bigint() - t0);
    runs.push({
      accounts: count,
      wallMs,
      heygenCalls: sandbox.calls().total,
      recorded: results.filter((r) => r.status === "recorded").length,
      latencyFloorMs: Math.ceil(count / POLL_LIMITS.concurrency) * latencyMs,
    });
  }
  return { concurrency: POLL_LIMITS.concurrency, runs };
}
