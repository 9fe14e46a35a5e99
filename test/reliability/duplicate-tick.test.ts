import { afterAll, beforeAll, expect, it } from "vitest";
import { parseConfig } from "#config/config";
import { type LocalStack, sandboxKeyFor, startLocalStack } from "#local/stack";

/**
 * Regression (found by the soak): the same schedule tick delivered twice at once — EventBridge and Lambda
 * deliver at least once — sent the same alert twice, because both copies read the state before either
 * saved it. The snapshot put (conditional on the tick) now decides which copy owns the tick.
 */
let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack({ config: parseConfig({}), env: {}, pollIntervalSeconds: 0 });
});
afterAll(async () => {
  await stack?.stop();
});

it("a tick polled twice at the same time writes one snapshot and sends its alert once", async () => {
  await stack.pollNow("2030-01-01T00:00:00.000Z");
  stack.sandbox?.setBalance(sandboxKeyFor("default"), 5);
  // HeyGen answering slower than a state read makes every copy read the state before any copy saves it.
  stack.sandbox?.setLatency(300);
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
