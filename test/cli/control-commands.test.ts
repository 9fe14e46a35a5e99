import { ConflictError, QuotaGuardClient } from "@heygen-quota-guard/client";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { LocalStack } from "#local/stack";
import { cliAgainst } from "#test/support/cli";
import { startOneAccountStack } from "#test/support/e2e";

/** Budgets, the kill switch and the audit log from the client and the CLI (docs/budgets.md). */

let stack: LocalStack;
beforeAll(async () => {
  let readCredits: (b: number) => Promise<void>;
  ({ stack, readCredits } = await startOneAccountStack("c"));
  await readCredits(100);
}, 60_000);
afterAll(() => stack?.stop());
const cli = cliAgainst(() => stack);

it("budget set, budgets, pause and resume (of the account and of a budget), audit, budget delete; a bad period is a usage error", async () => {
  const client = new QuotaGuardClient({ url: stack.url });
  const set = await cli("budget", "set", "marketing", "--limit", "25", "--period", "day", "--slots", "4");
  expect(set.code).toBe(0);
  expect(JSON.parse(set.stdout)).toMatchObject({ id: "marketing", limit: 25, maxConcurrentHolds: 4 });
  expect(
    (await client.setBudget("marketing", { limit: 25, period: "day", maxConcurrentHolds: 4 })).created,
  ).toBe(false);
  const list = await cli("budgets", "--human");
  expect(list.stdout).toMatch(/marketing\s+day \(UTC\)\s+25\s+0\s+0\s+25\s+0\/4/);

  const paused = await cli("pause", "--reason", "runaway batch", "--human");
  expect(paused.stdout).toMatch(/^PAUSED c by .+: runaway batch/);
  await expect(client.reserve({ amount: 1 })).rejects.toBeInstanceOf(ConflictError);
  expect((await client.check({ durationSeconds: 10 })).allowed).toBe(false);
  expect(JSON.parse((await cli("resume")).stdout)).toEqual({ accountId: "c", paused: null });

  const audit = await cli("audit", "--limit", "2", "--human");
  expect(audit.stdout).toMatch(/resumed\s+account/);
  expect(audit.stdout).toMatch(/paused\s+account/);
  expect(audit.stdout).toMatch(/more: --cursor \S+/);
  expect((await client.audit(undefined, { limit: 10 })).entries.map((e) => e.action)).toEqual([
    "resumed",
    "paused",
    "budget-set",
  ]);

  const percents = await cli(
    "budget",
    "set",
    "marketing",
    "--limit",
    "25",
    "--period",
    "day",
    "--alert-percents",
    "70,90",
  );
  expect(JSON.parse(percents.stdout).alertPercents).toEqual({ warning: 70, critical: 90 });
  const budgetPaused = await cli("pause", "--budget", "marketing", "--reason", "retry loop");
  expect(JSON.parse(budgetPaused.stdout)).toMatchObject({
    id: "marketing",
    paused: true,
    pauseReason: "retry loop",
  });
  expect((await client.balance()).paused).toBeFalsy();
  expect(JSON.parse((await cli("resume", "--budget", "marketing")).stdout)).toMatchObject({ paused: false });
  expect((await client.audit(undefined, { limit: 2 })).entries.map((e) => [e.action, e.target])).toEqual([
    ["resumed", "budget:marketing"],
    ["paused", "budget:marketing"],
  ]);

  expect((await cli("budget", "delete", "marketing")).code).toBe(0);
  expect(await client.budgets()).toEqual([]);
  const bad = await cli("budget", "set", "x", "--limit", "5", "--period", "fortnight");
  expect(bad.code).toBe(2);
}, 120_000); // nine CLI processes, each loading tsx: slow on a busy machine

it("reserve and check through a budget: granted while it covers, then a 'no' (exit 1) naming the budget", async () => {
  expect((await cli("budget", "set", "small", "--limit", "3", "--period", "total")).code).toBe(0);
  const granted = await cli("reserve", "--amount", "2", "--budget", "small");
  expect(granted.code).toBe(0);
  expect(JSON.parse(granted.stdout)).toMatchObject({ budget: "small", heldAmount: 2 });
  const refused = await cli("reserve", "--amount", "2", "--budget", "small");
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain("budget-exhausted");
  const check = await cli("check", "--amount", "2", "--budget", "small", "--human");
  expect(check.code).toBe(1);
  expect(check.stdout).toMatch(
    /DENIED: Budget "small" has 1 credits left this total; 2 credits is short by 1/,
  );
  expect(check.stdout).toMatch(/budget:\s+small: 1 credits left this total/);
  const unknown = await cli("reserve", "--amount", "1", "--budget", "nope");
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toContain("--budget");
});
