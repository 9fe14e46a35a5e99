import { type AccountConfig, parseConfig } from "#config/config";
import { meterConsumedCapacity } from "#local/consumed-capacity";
import { type LocalStack, startLocalStack } from "#local/stack";
import { POLL_LIMITS, pollAccounts } from "#service/poll-accounts";
import { runIfMain } from "./script.ts";
import { parseBenchSettings } from "./settings.ts";
import { nsToMs } from "./stats.ts";

export interface PollScalingFigure {
  accounts: number;
  wallMs: number;
  heygenCalls: number;
  recorded: number;
  /** ⌈accounts / concurrency⌉ × latency: what HeyGen's latency alone costs at this concurrency bound. */
  latencyFloorMs: number;
  /** DynamoDB capacity units the run consumed (as DynamoDB Local reports them). */
  readUnits: number;
  writeUnits: number;
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
  await pollAccounts(stack.pollerServices, new Date().toISOString(), accounts.slice(0, largest));
  const meter = meterConsumedCapacity(stack.dynamo.client);
  const runs: PollScalingFigure[] = [];
  try {
    for (const count of counts) {
      sandbox.resetCalls();
      let results: Awaited<ReturnType<typeof pollAccounts>> = [];
      const t0 = process.hrtime.bigint();
      const consumed = await meter.during(async () => {
        results = await pollAccounts(
          stack.pollerServices,
          new Date().toISOString(),
          accounts.slice(0, count),
        );
      });
      const wallMs = nsToMs(process.hrtime.bigint() - t0);
      runs.push({
        accounts: count,
        wallMs,
        heygenCalls: sandbox.calls().total,
        recorded: results.filter((r) => r.status === "recorded").length,
        latencyFloorMs: Math.ceil(count / POLL_LIMITS.concurrency) * latencyMs,
        readUnits: consumed.readUnits,
        writeUnits: consumed.writeUnits,
      });
    }
  } finally {
    meter.stop();
  }
  return { concurrency: POLL_LIMITS.concurrency, runs };
}

/** `npm run bench`'s accounts for this phase: `poll-001`, `poll-002`, ... */
export function pollBenchAccounts(count: number): { id: string }[] {
  return Array.from({ length: count }, (_, i) => ({ id: `poll-${String(i + 1).padStart(3, "0")}` }));
}

/**
 * This phase alone (`npx tsx bench/poller-scaling.ts [--poll-accounts=1,10,100,500] [--heygen-latency-ms=150]`),
 * on a local stack of its own; prints the figures as JSON and writes no results file.
 */
async function main() {
  const settings = parseBenchSettings();
  const largest = settings.pollAccountCounts.at(-1) ?? 0;
  const config = parseConfig({ accounts: pollBenchAccounts(largest) }, "poller scaling bench");
  const stack = await startLocalStack({ config, env: {}, sandboxLatencyMs: settings.heygenLatencyMs });
  try {
    const figures = await measurePollerScaling(
      stack,
      config.accounts,
      settings.pollAccountCounts,
      settings.heygenLatencyMs,
    );
    console.log(JSON.stringify({ heygenLatencyMs: settings.heygenLatencyMs, ...figures }, null, 2));
  } finally {
    await stack.stop();
  }
}

runIfMain(import.meta.url, main);
