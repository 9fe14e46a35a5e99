import type { LocalStack } from "#local/stack";
import { pollAccounts } from "#service/poll-accounts";
import { startGuideBaseline } from "./baseline-server.ts";
import type { LoadResult } from "./load-job.ts";
import { runLoad } from "./load-runner.ts";

export interface CheckSide extends LoadResult {
  heygenCalls: number;
  heygenCallsPer1000: number;
}

export interface ChecksFigures {
  connections: number;
  guard: CheckSide;
  baseline: CheckSide;
  ratios: { requestsPerSecond: number; p50: number; p99: number };
}

const JOB = { durationSeconds: 60 };
const WARMUP_SECONDS = 1;

/**
 * The guard's `POST /v1/checks` on a freshly polled balance, then the guide's flow (baseline-server.ts),
 * each under the same closed-loop load against the same HeyGen sandbox; HeyGen calls counted by the sandbox.
 */
export async function measureChecks(
  stack: LocalStack,
  accountId: string,
  load: { connections: number; durationSeconds: number },
): Promise<ChecksFigures> {
  const sandbox = stack.sandbox;
  const apiKey = stack.sandboxKeys[accountId];
  const account = stack.config.accounts.find((a) => a.id === accountId);
  if (!sandbox || !apiKey || !account) throw new Error(`account ${accountId} is not served by the sandbox`);

  const side = async (url: string, body: unknown): Promise<CheckSide> => {
    const job = {
      kind: "requests",
      url,
      request: { method: "POST", path: "/v1/checks", body },
      ...load,
    } as const;
    // Unmeasured first, so that both sides are compared warm (JIT, connections, the balance cache).
    await runLoad({ ...job, durationSeconds: WARMUP_SECONDS });
    sandbox.resetCalls();
    const result = await runLoad(job);
    const heygenCalls = sandbox.calls().total;
    const total = Object.values(result.statuses).reduce((sum, n) => sum + n, 0);
    return { ...result, heygenCalls, heygenCallsPer1000: total === 0 ? 0 : (heygenCalls / total) * 1000 };
  };

  await pollAccounts(stack.services, new Date().toISOString(), [account]);
  const guard = await side(stack.url, { accountId, ...JOB });
  const baselineServer = await startGuideBaseline({ heygenBaseUrl: sandbox.url, apiKey });
  try {
    const baseline = await side(baselineServer.url, JOB);
    return {
      connections: load.connections,
      guard,
      baseline,
      ratios: {
        requestsPerSecond: guard.perSecond / baseline.perSecond,
        p50: guard.p50Ms / baseline.p50Ms,
        p99: guard.p99Ms / baseline.p99Ms,
      },
    };
  } finally {
    await baselineServer.close();
  }
}
