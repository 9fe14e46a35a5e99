import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AccountConfig, parseConfig } from "#config/config";
import type { LocalStack } from "#local/stack";
import { POLL_LIMITS, pollAccounts } from "#service/poll-accounts";
import type { Services } from "#service/services";
import { sandboxOf } from "#test/support/e2e";
import { startTestStack } from "#test/support/local-stack";
import { pollerServicesFor } from "#test/support/poller-services";
import { RecordingLog } from "#test/support/recording-log";

const ACCOUNTS = 500;
const ids = Array.from({ length: ACCOUNTS }, (_, i) => `client-${String(i + 1).padStart(3, "0")}`);
/**
 * 500 readings are ~4,000 DynamoDB Local calls: tens of seconds on a busy 2-core machine. A ceiling, not a
 * measure (the bench measures); HANG_MS stays above it, so a run that waited for a hanging account fails.
 */
const RUN_CEILING_MS = 120_000;
const HANG_MS = 2 * RUN_CEILING_MS;
/**
 * The deadline under test: short, yet long enough that a healthy read never meets it while 50 run at once
 * on a busy machine. The HeyGen client's own timeout is set past it, so the deadline is what ends the wait.
 */
const ACCOUNT_TIMEOUT_MS = 8_000;

/**
 * The scheduled poll over 500 accounts against the local parts (DynamoDB Local, the HeyGen sandbox with no
 * latency): every account read and recorded in one run, and one hanging account recorded as a failure while
 * the others finish. Run time is the bench's business (poller scaling row), never asserted here.
 */
describe("the poller's fan-out over 500 accounts", () => {
  const log = new RecordingLog();
  let stack: LocalStack;
  let poller: Services;
  const accountOf = (id: string) => stack.config.accounts.find((a) => a.id === id) as AccountConfig;
  const statesOf = async (accountIds: readonly string[]) => {
    const states = [];
    for (let i = 0; i < accountIds.length; i += 50) {
      const chunk = accountIds.slice(i, i + 50);
      states.push(...(await Promise.all(chunk.map((id) => poller.store.getAccountState(id)))));
    }
    return states;
  };

  beforeAll(async () => {
    stack = await startTestStack({
      config: parseConfig({ accounts: ids.map((id) => ({ id })) }),
      env: {},
      log,
      sandboxLatencyMs: 0,
      pollIntervalSeconds: 0,
    });
    poller = pollerServicesFor(stack, { log, heygenTimeoutMs: 3 * ACCOUNT_TIMEOUT_MS });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it(
    "reads every account once and records each one's snapshot under the tick",
    async () => {
      const tick = "2026-12-01T00:00:00.000Z";
      sandboxOf(stack).resetCalls();
      const results = await stack.pollNow(tick);

      expect(results.map((r) => r.accountId)).toEqual(ids);
      expect(results.filter((r) => r.status !== "recorded")).toEqual([]);
      // Every account's key was asked; a request the HeyGen client retried after a transport failure (seen
      // under load in the first batch of 50) counts twice in `total`, so `total` is no measure of the claim.
      expect(Object.keys(sandboxOf(stack).calls().byKey ?? {})).toHaveLength(ACCOUNTS);
      const states = await statesOf(ids);
      expect(states.map((s) => s?.accountId)).toEqual(ids);
      for (const state of states) {
        expect(state?.lastPollTick).toBe(tick);
        expect(state?.latest?.remaining).toBeGreaterThan(0);
        expect(state?.alert.consecutiveFailures).toBe(0);
      }
    },
    RUN_CEILING_MS,
  );

  it(
    "records a hanging account as a timeout failure and finishes the others without it",
    async () => {
      const hanging = "client-007";
      sandboxOf(stack).setFault(stack.sandboxKeys[hanging] as string, "slow", { delayMs: HANG_MS });
      try {
        // Two rounds of 50: the hanging account holds one slot of the first, the other 99 go through the rest.
        const hundred = stack.config.accounts.slice(0, 2 * POLL_LIMITS.concurrency);
        const results = await pollAccounts(poller, "2026-12-01T00:05:00.000Z", hundred, {
          accountTimeoutMs: ACCOUNT_TIMEOUT_MS,
        });

        const failed = results.filter((r) => r.status !== "recorded");
        expect(failed).toEqual([
          expect.objectContaining({
            accountId: hanging,
            status: "failed",
            error: { code: "timeout", message: expect.stringContaining(`${ACCOUNT_TIMEOUT_MS} ms`) },
          }),
        ]);
        expect(results.filter((r) => r.status === "recorded")).toHaveLength(hundred.length - 1);
        // The failure is recorded the way any failed reading is: counted, with its code, the tick claimed.
        const [state] = await statesOf([hanging]);
        expect(state?.lastPollTick).toBe("2026-12-01T00:05:00.000Z");
        expect(state?.alert).toMatchObject({ consecutiveFailures: 1, lastFailure: { code: "timeout" } });

        // ...and it takes the usual path to monitor_degraded (degradedAfterFailures = 3); two accounts only,
        // so a shorter deadline is safe.
        let last = results;
        for (const tick of ["2026-12-01T00:10:00.000Z", "2026-12-01T00:15:00.000Z"]) {
          last = await pollAccounts(poller, tick, [accountOf(hanging), accountOf("client-008")], {
            accountTimeoutMs: 2_000,
          });
        }
        expect(last.map((r) => r.status)).toEqual(["failed", "recorded"]);
        expect(last[0]?.alerts.map((a) => [a.alertType, a.status])).toEqual([["monitor_degraded", "sent"]]);
      } finally {
        sandboxOf(stack).clearFaults();
      }
    },
    RUN_CEILING_MS,
  );

  it("stops asking HeyGen when the run's budget is spent: the accounts left fail unasked, none hangs the run", async () => {
    const three = ["client-101", "client-102", "client-103"];
    for (const id of three) {
      sandboxOf(stack).setFault(stack.sandboxKeys[id] as string, "slow", { delayMs: HANG_MS });
    }
    sandboxOf(stack).resetCalls();
    try {
      const results = await pollAccounts(poller, "2026-12-01T00:20:00.000Z", three.map(accountOf), {
        concurrency: 1,
        accountTimeoutMs: POLL_LIMITS.accountTimeoutMs,
        runBudgetMs: 500,
      });

      expect(results.map((r) => [r.accountId, r.status, r.error?.code])).toEqual(
        three.map((id) => [id, "failed", "timeout"]),
      );
      // The first was asked and cut at the budget's end; the two after it were never asked.
      expect(sandboxOf(stack).calls().total).toBe(1);
      expect(results.slice(1).map((r) => r.error?.message)).toEqual([
        expect.stringContaining("was not asked"),
        expect.stringContaining("was not asked"),
      ]);
      const states = await statesOf(three);
      expect(states.map((s) => s?.alert.lastFailure?.code)).toEqual(["timeout", "timeout", "timeout"]);
    } finally {
      sandboxOf(stack).clearFaults();
    }
  });
});
