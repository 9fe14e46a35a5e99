import { writeFileSync } from "node:fs";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { AccountConfig } from "#config/config";
import { parseConfig } from "#config/config";
import { freePort } from "#local/free-port";
import type { LocalStack } from "#local/stack";
import type { PollResult } from "#service/poll-account";
import { pollAccounts } from "#service/poll-accounts";
import type { Services } from "#service/services";
import { sandboxOf, TestClock } from "#test/support/e2e";
import { startTestStack } from "#test/support/local-stack";
import { pollerServicesFor } from "#test/support/poller-services";
import { RecordingLog } from "#test/support/recording-log";
import { accountIdFor, FAULT_ROWS, type FaultRow } from "./fault-matrix.ts";

const HEYGEN_TIMEOUT_MS = 300;
const TICK_BASE_MS = Date.UTC(2026, 0, 1);

/** What one row really did, as docs/reliability.md shows it. */
interface ObservedRow {
  fault: string;
  outcome: string;
  stored: string;
  requests: number;
  alertState: string;
  alive: string;
}

describe("HeyGen fault matrix through the poller and the store", () => {
  const log = new RecordingLog();
  const observed: ObservedRow[] = [];
  let stack: LocalStack;
  let poller: Services;
  // The poller's retries wait on this clock: a Retry-After has passed when the poll ends, in no real time.
  const clock = new TestClock();
  const onClock = { now: clock.now, heygenSleep: clock.sleep };

  beforeAll(async () => {
    const accounts = FAULT_ROWS.map((row, index) => ({
      id: accountIdFor(index),
      apiKeyEnv: `FAULT_MATRIX_KEY_${index}`,
      apiVersion: row.apiVersion,
    }));
    stack = await startTestStack({
      config: parseConfig({ accounts: [...accounts, { id: "healthy", apiKeyEnv: "FAULT_MATRIX_HEALTHY" }] }),
      env: {},
      log,
      pollIntervalSeconds: 0,
    });
    poller = pollerServicesFor(stack, { log, ...onClock, heygenTimeoutMs: HEYGEN_TIMEOUT_MS });
  });

  afterEach(() => {
    sandboxOf(stack).clearFaults();
    vi.restoreAllMocks();
  });

  afterAll(async () => {
    await stack?.stop();
    const out = process.env.RELIABILITY_TABLE_OUT;
    if (out && observed.length === FAULT_ROWS.length) writeFileSync(out, toMarkdown(observed));
  });

  const accountOf = (id: string) => stack.config.accounts.find((a) => a.id === id) as AccountConfig;
  const tickOf = (index: number, step: number) =>
    new Date(TICK_BASE_MS + (index * 3 + step) * 60_000).toISOString();

  /** Polls under the row's fault, counting the HTTP requests that reached (or tried to reach) HeyGen. */
  async function pollUnderFault(row: FaultRow, account: AccountConfig, tick: string) {
    const key = stack.sandboxKeys[account.id] as string;
    if (row.inject === "connection_refused") {
      const deadUrl = `http://127.0.0.1:${await freePort()}`;
      const fetchSpy = vi.spyOn(globalThis, "fetch");
      const refused = pollerServicesFor(stack, {
        log,
        ...onClock,
        heygenTimeoutMs: HEYGEN_TIMEOUT_MS,
        heygenBaseUrl: deadUrl,
      });
      const [result] = await pollAccounts(refused, tick, [account]);
      const requests = fetchSpy.mock.calls.filter(([url]) => String(url).startsWith(deadUrl)).length;
      return { result: result as PollResult, others: [] as PollResult[], requests };
    }
    sandboxOf(stack).resetCalls();
    sandboxOf(stack).setFault(key, row.inject, row.options ?? {});
    const [result, ...others] = await pollAccounts(poller, tick, [account, accountOf("healthy")]);
    return { result: result as PollResult, others, requests: sandboxOf(stack).calls().byKey[key] ?? 0 };
  }

  it.each(FAULT_ROWS.map((row, index) => [row.fault, row, index] as const))(
    "%s",
    async (_label, row, index) => {
      const account = accountOf(accountIdFor(index));
      const key = stack.sandboxKeys[account.id] as string;

      const [baseline] = await pollAccounts(poller, tickOf(index, 0), [account]);
      expect(baseline?.status).toBe("recorded");
      const historyBefore = await stack.services.store.listSnapshots(account.id, { limit: 1000 });
      const stateBefore = await stack.services.store.getAccountState(account.id);
      expect(stateBefore?.alert.level).toBe("ok");

      const { result, others, requests } = await pollUnderFault(row, account, tickOf(index, 1));

      // One account failing never stops the others.
      for (const other of others) expect(other.status).toBe("recorded");
      expect(result.status).toBe(row.expect.outcome);
      expect(result.error?.code).toBe(row.expect.code);
      expect(requests).toBe(row.expect.requests);
      expect(result.alerts).toEqual([]);
      expect(JSON.stringify(result)).not.toContain(key);

      const historyAfter = await stack.services.store.listSnapshots(account.id, { limit: 1000 });
      const stateAfter = await stack.services.store.getAccountState(account.id);
      if (row.expect.outcome === "failed") {
        // Never a bogus snapshot: history and the latest balance are exactly as before.
        expect(historyAfter).toEqual(historyBefore);
        expect(stateAfter?.latest).toEqual(stateBefore?.latest);
        expect(stateAfter?.alert).toMatchObject({ level: "ok", consecutiveFailures: 1, degraded: false });
        expect(stateAfter?.alert.lastFailure?.code).toBe(row.expect.code);
        expect(stateAfter?.reserved).toEqual(stateBefore?.reserved);
      } else {
        expect(historyAfter).toHaveLength(historyBefore.length + 1);
        expect(stateAfter?.latest?.source).toBe(row.expect.source);
        expect(stateAfter?.latest?.remaining).toBe(120);
        expect(stateAfter?.alert).toMatchObject({ level: "ok", consecutiveFailures: 0 });
      }

      // Still alive: the fault cleared, the next poll records (or, inside HeyGen's Retry-After, waits without
      // calling or failing) and the API answers.
      sandboxOf(stack).clearFaults();
      sandboxOf(stack).resetCalls();
      const [recovery] = await pollAccounts(poller, tickOf(index, 2), [account]);
      if (row.expect.nextReadingDeferred) {
        expect(recovery?.status).toBe("deferred");
        expect(sandboxOf(stack).calls().byKey[key] ?? 0).toBe(0);
        expect((await stack.services.store.getAccountState(account.id))?.alert.consecutiveFailures).toBe(1);
      } else {
        expect(recovery?.status).toBe("recorded");
        expect((await stack.services.store.getAccountState(account.id))?.alert.consecutiveFailures).toBe(0);
      }
      expect((await fetch(`${stack.url}/v1/health`)).status).toBe(200);

      observed.push({
        fault: row.fault,
        outcome:
          result.status === "failed"
            ? `failed: \`${result.error?.code}\``
            : `recorded (${result.snapshot?.source})`,
        stored: result.status === "failed" ? "nothing: history and latest unchanged" : "1 snapshot",
        requests,
        alertState:
          result.status === "failed"
            ? `level ok kept, consecutiveFailures 1, no alert`
            : "level ok, consecutiveFailures 0, no alert",
        alive: row.expect.nextReadingDeferred
          ? "yes: next poll waits (no call, no failure) until Retry-After, API 200"
          : "yes: next poll recorded, API 200",
      });
    },
  );
});

function toMarkdown(rows: ObservedRow[]): string {
  const header =
    "| fault | poll outcome | stored | HeyGen requests | alert state | alive after |\n|---|---|---|---|---|---|\n";
  return (
    header +
    rows
      .map(
        (r) => `| ${r.fault} | ${r.outcome} | ${r.stored} | ${r.requests} | ${r.alertState} | ${r.alive} |`,
      )
      .join("\n") +
    "\n"
  );
}
