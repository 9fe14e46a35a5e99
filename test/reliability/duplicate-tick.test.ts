import { afterAll, beforeAll, expect, it } from "vitest";
import { parseConfig } from "#config/config";
import { type LocalStack, sandboxKeyFor } from "#local/stack";
import { sandboxOf } from "#test/support/e2e";
import { startTestStack } from "#test/support/local-stack";

/**
 * Regression (found by the soak): the same schedule tick delivered twice at once — EventBridge and Lambda
 * deliver at least once — sent the same alert twice, because both copies read the state before either
 * saved it. The snapshot put (conditional on the tick) now decides which copy owns the tick.
 */
let stack: LocalStack;
beforeAll(async () => {
  stack = await startTestStack({ config: parseConfig({}), env: {}, pollIntervalSeconds: 0 });
});
afterAll(async () => {
  await stack?.stop();
});

it("a tick polled twice at the same time writes one snapshot and sends its alert once", async () => {
  await stack.pollNow("2030-01-01T00:00:00.000Z");
  sandboxOf(stack).setBalance(sandboxKeyFor("default"), 5);
  // HeyGen answering slower than a state read makes every copy read the state before any copy saves it.
  sandboxOf(stack).setLatency(300);
  const copies = await Promise.all(
    Array.from({ length: 4 }, () => stack.pollNow("2030-01-01T00:05:00.000Z")),
  );
  const statuses = copies.map(([result]) => result?.status).sort();
  expect(statuses).toEqual(["duplicate", "duplicate", "duplicate", "recorded"]);
  const sent = copies.flatMap(([result]) => result?.alerts ?? []).filter((a) => a.status === "sent");
  expect(sent.map((a) => [a.alertType, a.level])).toEqual([["low_balance", "critical"]]);
  expect(await stack.sns.drain(1)).toHaveLength(1);
  expect(await stack.services.store.listAlerts("default", 10)).toHaveLength(1);
});

it("a failing tick polled twice at the same time counts one failure and sends monitor_degraded once", async () => {
  const key = sandboxKeyFor("default");
  sandboxOf(stack).setLatency(0);
  sandboxOf(stack).setBalance(key, 100);
  await stack.pollNow("2030-01-02T00:00:00.000Z");
  sandboxOf(stack).setFault(key, "unauthorized");
  try {
    // Two failures recorded, one tick each; the third failing tick reaches degradedAfterFailures (3).
    await stack.pollNow("2030-01-02T00:05:00.000Z");
    await stack.pollNow("2030-01-02T00:10:00.000Z");
    sandboxOf(stack).setLatency(300);
    const copies = await Promise.all(
      Array.from({ length: 3 }, () => stack.pollNow("2030-01-02T00:15:00.000Z")),
    );
    expect(copies.map(([result]) => result?.status).sort()).toEqual(["duplicate", "duplicate", "failed"]);
    const degraded = copies.flatMap(([result]) => result?.alerts ?? []);
    expect(degraded.map((a) => [a.alertType, a.status])).toEqual([["monitor_degraded", "sent"]]);
    const state = await stack.services.store.getAccountState("default");
    expect(state?.alert.consecutiveFailures).toBe(3);
  } finally {
    sandboxOf(stack).clearFaults();
    sandboxOf(stack).setLatency(0);
  }
});

it("a failing tick delivered again after it completed counts nothing twice", async () => {
  const key = sandboxKeyFor("default");
  await stack.pollNow("2030-01-03T00:00:00.000Z");
  sandboxOf(stack).setFault(key, "unauthorized");
  try {
    const [first] = await stack.pollNow("2030-01-03T00:05:00.000Z");
    const [again] = await stack.pollNow("2030-01-03T00:05:00.000Z");
    expect([first?.status, again?.status]).toEqual(["failed", "duplicate"]);
    expect((await stack.services.store.getAccountState("default"))?.alert.consecutiveFailures).toBe(1);
  } finally {
    sandboxOf(stack).clearFaults();
  }
});
