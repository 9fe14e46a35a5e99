import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import { type Budget, type BudgetSettings, newBudget, settingsOf, withSettings } from "#core/budget";
import { periodContaining } from "#core/budget-period";
import { roundAmount } from "#core/reservations";
import type { ReserveResult } from "#service/reservation-port";
import { keys } from "#store/table";
import {
  at,
  reservationHelpers,
  reserveRequest,
  settle,
  storeOnDynamoDbLocal,
  T0,
} from "#test/support/store-fixtures";

/**
 * Spending through a budget under concurrency (issue 21, docs/budgets.md): 200 writers at once against one
 * budget's limit, its slots, the account's slots (maxConcurrentJobs) and a period that rolls over under them.
 * The account's balance is far above each limit, so every refusal is the budget's (or the account's slots).
 */

const local = storeOnDynamoDbLocal();
const { account, availableAt } = reservationHelpers(local);
const WRITERS = 200;

let budgets = 0;
async function budget(accountId: string, settings: Partial<BudgetSettings>, fields: Partial<Budget> = {}) {
  const made = {
    ...newBudget(
      accountId,
      `b-${++budgets}`,
      { limit: 100, period: "day", timeZone: "UTC", mode: "hard", ...settings },
      T0,
    ),
    ...fields,
  };
  expect(await local.store.saveBudget(made, { expectedVersion: 0, restarted: true, leftDelta: 0 })).toBe(
    true,
  );
  const stored = await local.store.getBudget(accountId, made.id);
  if (stored === undefined) throw new Error("budget not stored");
  return stored;
}

function reserveAll(
  accountId: string,
  amount: number,
  now: Date,
  extra: { budget?: Budget; maxOpenHolds?: number },
) {
  return Promise.all(
    Array.from({ length: WRITERS }, () =>
      local.store.reserve(
        accountId,
        { ...reserveRequest(accountId, amount, now, { ttl: 600 }), ...extra },
        settle(now),
      ),
    ),
  );
}

function granted(results: ReserveResult[]) {
  return results.filter((r): r is Extract<ReserveResult, { kind: "created" }> => r.kind === "created");
}

describe("reserve through a budget under concurrency", () => {
  it("200 concurrent reserves of c against a budget of limit B grant exactly ⌊B/c⌋, ten times over", async () => {
    for (let round = 0; round < 10; round++) {
      const limit = 60 + 37 * round;
      const amount = 1.25 + 0.5 * round;
      const accountId = await account(1_000_000);
      const through = await budget(accountId, { limit });
      const results = await reserveAll(accountId, amount, T0, { budget: through });
      const expected = Math.floor(limit / amount);
      const grants = granted(results);
      expect(grants).toHaveLength(expected);
      const refused = results.filter((r) => r.kind !== "created");
      expect(refused).toHaveLength(WRITERS - expected);
      for (const r of refused) {
        expect(r).toMatchObject({
          kind: "budget-refused",
          refusal: { type: "budget-exhausted", budgetId: through.id },
        });
      }
      for (const g of grants) expect(g.view).toMatchObject({ budget: through.id });

      const after = await local.store.getBudget(accountId, through.id);
      const sum = roundAmount(grants.reduce((s, g) => s + g.view.amount, 0));
      expect(after?.held).toBeCloseTo(sum, 9);
      expect(after?.committed).toBe(0);
      expect(after?.openHolds).toBe(expected);
      expect(await storedLeft(accountId, through.id)).toBeCloseTo(limit - sum, 9);
      expect((await availableAt(accountId, T0)).openHolds).toBe(expected);
    }
  }, 240_000);

  it("a budget's maxConcurrentHolds N grants exactly N of 200", async () => {
    for (const slots of [1, 7, 25]) {
      const accountId = await account(1_000_000);
      const through = await budget(accountId, { limit: 1_000_000, maxConcurrentHolds: slots });
      const results = await reserveAll(accountId, 1, T0, { budget: through });
      expect(granted(results)).toHaveLength(slots);
      for (const r of results.filter((x) => x.kind !== "created")) {
        expect(r).toMatchObject({
          kind: "budget-refused",
          refusal: { type: "no-free-slot", budgetId: through.id },
        });
      }
      const after = await local.store.getBudget(accountId, through.id);
      expect(after).toMatchObject({ openHolds: slots, held: slots });
    }
  }, 120_000);

  it("an account's maxConcurrentJobs N grants exactly N of 200", async () => {
    for (const slots of [1, 7, 25]) {
      const accountId = await account(1_000_000);
      const results = await reserveAll(accountId, 1, T0, { maxOpenHolds: slots });
      expect(granted(results)).toHaveLength(slots);
      for (const r of results.filter((x) => x.kind !== "created")) {
        expect(r).toMatchObject({ kind: "no-free-slot", limit: slots });
      }
      expect((await availableAt(accountId, T0)).openHolds).toBe(slots);
    }
  }, 120_000);

  it("across a period rollover: 200 reserves in the new period grant ⌊B/c⌋ and start it once", async () => {
    const yesterday = at(T0, -86_400);
    const limit = 100;
    const amount = 3;
    const accountId = await account(1_000_000);
    const yesterdayKey = periodContaining(yesterday, "day", "UTC").key;
    // Yesterday's counters, as a budget that last spent yesterday leaves them (no hold of yesterday open).
    const stale = await budget(accountId, { limit }, { periodKey: yesterdayKey, held: 40, committed: 55 });
    expect(stale.periodKey).toBe(yesterdayKey);
    expect(await storedLeft(accountId, stale.id)).toBe(5);

    const results = await reserveAll(accountId, amount, T0, { budget: stale });
    const expected = Math.floor(limit / amount);
    const grants = granted(results);
    expect(grants).toHaveLength(expected);
    const after = await local.store.getBudget(accountId, stale.id);
    const todayKey = periodContaining(T0, "day", "UTC").key;
    // Started once: the counters are the new period's holds only (a second start would have reset them).
    expect(after).toMatchObject({ periodKey: todayKey, committed: 0, openHolds: expected });
    expect(after?.held).toBeCloseTo(expected * amount, 9);
    expect(await storedLeft(accountId, stale.id)).toBeCloseTo(limit - expected * amount, 9);
  }, 120_000);
});

async function storedLeft(accountId: string, budgetId: string): Promise<number | undefined> {
  const { Item } = await local.dynamo.doc.send(
    new GetCommand({
      TableName: local.tableName,
      Key: { pk: keys.account(accountId), sk: keys.budget(budgetId) },
      ConsistentRead: true,
    }),
  );
  return Item?.left as number | undefined;
}

describe("a change of period on a day both periods begin (found by these proofs)", () => {
  // T0 (2026-03-01) is the first day of a month. Period keys were once the local date of the first day
  // whatever the kind, so the day's key and the month's were both "2026-03-01": the day's hold then passed the
  // month's `budget-period` condition on release (held −30, left 130) and the hard month of 100 granted 120.
  // Keys now name their kind (`2026-03` for the month; core/budget-period.ts).
  it("a hold of the day restarted into the month moves only its slot, and the month refuses past its limit", async () => {
    const accountId = await account(1_000_000);
    const day = await budget(accountId, { limit: 100, period: "day" });
    const hold = granted([
      await local.store.reserve(accountId, { ...reserveRequest(accountId, 30, T0), budget: day }, settle(T0)),
    ])[0];
    if (hold === undefined) throw new Error("the day's reserve was refused");

    // PUT the budget as a month: a new kind of period, so its counters restart at nothing held.
    const stored = await local.store.getBudget(accountId, day.id);
    if (stored === undefined) throw new Error("budget missing");
    const next = withSettings(stored, { ...settingsOf(stored), period: "month" }, T0);
    expect(next.restarted).toBe(true);
    const write = { expectedVersion: stored.version, restarted: true, leftDelta: next.leftDelta };
    expect(await local.store.saveBudget(next.budget, write)).toBe(true);
    expect(await local.store.getBudget(accountId, day.id)).toMatchObject({
      periodKey: "2026-03",
      held: 0,
    });

    // The day's hold is released: it was never counted in the month, so only its slot may move.
    expect((await local.store.release(hold.view.id, settle(T0))).kind).toBe("ok");
    const afterRelease = await local.store.getBudget(accountId, day.id);
    expect.soft(afterRelease).toMatchObject({ held: 0, committed: 0, openHolds: 0 });
    expect.soft(await storedLeft(accountId, day.id)).toBe(100);

    // So the month still has 100 left, not 130: a reserve of 120 is refused.
    const month = await local.store.getBudget(accountId, day.id);
    const big = await local.store.reserve(
      accountId,
      { ...reserveRequest(accountId, 120, T0), ...(month ? { budget: month } : {}) },
      settle(T0),
    );
    expect(big).toMatchObject({ kind: "budget-refused", refusal: { type: "budget-exhausted" } });
  });
});
