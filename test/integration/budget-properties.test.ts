import { GetCommand } from "@aws-sdk/lib-dynamodb";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Budget, newBudget, settingsOf, withSettings } from "#core/budget";
import { periodContaining } from "#core/budget-period";
import { computeBalanceView, roundAmount } from "#core/reservations";
import { keys } from "#store/table";
import { holdChangeSteps } from "#test/support/hold-change-steps";
import {
  at,
  recordPoll,
  reserveRequest,
  settle,
  storeOnDynamoDbLocal,
  T0,
} from "#test/support/store-fixtures";

/**
 * Random interleavings of reserve (through the budget or not, in concurrent bursts), partial and final
 * commit, release, extend, expiry (the clock advances and correctCounters runs), a change of the budget's
 * limit and a period rollover (the clock passes midnight), on DynamoDB Local, checked after every step
 * against a plain model of docs/budgets.md: a hard budget is never held and committed past its limit in its
 * current period (unless its limit was lowered under it, or a commit past a hold's held part, which is never
 * refused, took it there), and once expired holds are corrected its counters are exactly the sums of its
 * holds of the current period and its slots the number of its open holds. BUDGET_PROPERTY_RUNS=200 hunts longer.
 */

const EPS = 1e-9;
const DAY = "day" as const;

interface ModelHold {
  id: string;
  amount: number;
  status: "held" | "committed" | "released";
  expiresAtMs: number;
  committed: number;
  /** Reserved through the budget: the period it counts in, and what it committed while that period ran. */
  budget?: { periodKey: string; periodEndMs: number; committed: number };
}

class Model {
  holds: ModelHold[] = [];
  /** The period the stored counters are in. */
  storedKey: string;
  /** The limit was lowered under what the period already used, or a commit past a held part went over. */
  over = false;
  constructor(
    public now: Date,
    public limit: number,
    readonly slots: number | undefined,
  ) {
    this.storedKey = this.currentKey();
  }
  currentKey() {
    return periodContaining(this.now, DAY, "UTC").key;
  }
  isHeld(hold: ModelHold) {
    return hold.status === "held" && hold.expiresAtMs > this.now.getTime();
  }
  /** held and committed in the current period (zero while the stored counters are of an earlier one). */
  usage() {
    const key = this.currentKey();
    let held = 0;
    let committed = 0;
    if (this.storedKey === key) {
      for (const h of this.holds) {
        if (h.budget?.periodKey !== key) continue;
        if (this.isHeld(h)) held += Math.max(0, h.amount - h.committed);
        committed += h.budget.committed;
      }
    }
    return { held: roundAmount(held), committed: roundAmount(committed) };
  }
  available() {
    const { held, committed } = this.usage();
    return roundAmount(this.limit - held - committed);
  }
  openBudgeted() {
    return this.holds.filter((h) => h.budget && this.isHeld(h)).length;
  }
  noteUsage() {
    const { held, committed } = this.usage();
    if (held + committed > this.limit + EPS) this.over = true;
  }
}

const amount = fc.integer({ min: 1, max: 40 }).map((quarters) => quarters / 4);
const step = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      type: fc.constant("reserve" as const),
      amounts: fc.array(amount, { minLength: 1, maxLength: 4 }),
      through: fc.oneof(
        { weight: 3, arbitrary: fc.constant(true) },
        { weight: 1, arbitrary: fc.constant(false) },
      ),
      ttl: fc.oneof(fc.integer({ min: 10, max: 600 }), fc.constant(200_000)),
    }),
  },
  ...holdChangeSteps(amount),
  {
    weight: 2,
    arbitrary: fc.record({
      type: fc.constant("advance" as const),
      seconds: fc.integer({ min: 1, max: 400 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ type: fc.constant("rollover" as const), past: fc.integer({ min: 0, max: 300 }) }),
  },
  {
    // Just before midnight, so that holds of two periods end together (one correction moves both).
    weight: 1,
    arbitrary: fc.record({ type: fc.constant("toEnd" as const), before: fc.integer({ min: 1, max: 300 }) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ type: fc.constant("limit" as const), limit: fc.integer({ min: 1, max: 60 }) }),
  },
);
type Step = typeof step extends fc.Arbitrary<infer S> ? S : never;

const local = storeOnDynamoDbLocal();
const BUDGET = "team";
let runs = 0;

async function readBudget(accountId: string): Promise<Budget> {
  const budget = await local.store.getBudget(accountId, BUDGET);
  if (budget === undefined) throw new Error("budget missing");
  return budget;
}

async function storedLeft(accountId: string): Promise<number> {
  const { Item } = await local.dynamo.doc.send(
    new GetCommand({
      TableName: local.tableName,
      Key: { pk: keys.account(accountId), sk: keys.budget(BUDGET) },
      ConsistentRead: true,
    }),
  );
  return Item?.left as number;
}

async function reserveBurst(accountId: string, model: Model, action: Extract<Step, { type: "reserve" }>) {
  const budget = action.through ? await readBudget(accountId) : undefined;
  const available = model.available();
  const open = model.openBudgeted();
  const results = await Promise.all(
    action.amounts.map((a) =>
      local.store.reserve(
        accountId,
        { ...reserveRequest(accountId, a, model.now, { ttl: action.ttl }), ...(budget ? { budget } : {}) },
        settle(model.now),
      ),
    ),
  );
  let granted = 0;
  let grants = 0;
  const window = periodContaining(model.now, DAY, "UTC");
  for (const result of results) {
    if (result.kind !== "created") continue;
    grants++;
    granted = roundAmount(granted + result.view.amount);
    model.holds.push({
      id: result.view.id,
      amount: result.view.amount,
      status: "held",
      expiresAtMs: Date.parse(result.view.expiresAt),
      committed: 0,
      ...(budget
        ? { budget: { periodKey: window.key, periodEndMs: window.end?.getTime() ?? Infinity, committed: 0 } }
        : {}),
    });
  }
  if (!budget) return expect(grants).toBe(action.amounts.length);
  if (grants > 0) {
    model.storedKey = window.key;
    expect(granted).toBeLessThanOrEqual(available + EPS);
    if (model.slots !== undefined) expect(open + grants).toBeLessThanOrEqual(model.slots);
  }
  for (const [i, result] of results.entries()) {
    if (result.kind === "created") continue;
    expect(result.kind).toBe("budget-refused");
    if (result.kind !== "budget-refused") continue;
    if (result.refusal.type === "no-free-slot") expect(open + grants).toBe(model.slots);
    else {
      expect(result.refusal.type).toBe("budget-exhausted");
      expect(action.amounts[i]).toBeGreaterThan(available - granted - EPS);
    }
  }
}

async function applyToHold(model: Model, action: Extract<Step, { type: "commit" | "release" | "extend" }>) {
  const hold = model.holds[action.pick % Math.max(1, model.holds.length)];
  if (hold === undefined) return;
  const held = model.isHeld(hold);
  const running = hold.budget !== undefined && model.now.getTime() < hold.budget.periodEndMs;
  const context = settle(model.now);
  if (action.type === "release") {
    const result = await local.store.release(hold.id, context);
    expect(result.kind).toBe(held || hold.status === "released" ? "ok" : "conflict");
    if (held) hold.status = "released";
    return;
  }
  if (action.type === "extend") {
    const amountAfter = roundAmount(hold.amount + (action.more ?? 0));
    const increase = roundAmount(
      Math.max(0, amountAfter - hold.committed) - Math.max(0, hold.amount - hold.committed),
    );
    const result = await local.store.extend(
      hold.id,
      { amount: amountAfter, ...(action.ttl ? { ttlSeconds: action.ttl } : {}) },
      context,
    );
    if (!held) return expect(result.kind).toBe("conflict");
    if (hold.budget !== undefined && increase > 0) {
      if (!running) return expect(result.kind).toBe("budget-period-ended");
      if (increase > model.available() + EPS) {
        return expect(result).toMatchObject({
          kind: "budget-refused",
          refusal: { type: "budget-exhausted" },
        });
      }
    }
    expect(result.kind).toBe("ok");
    hold.amount = amountAfter;
    if (action.ttl) hold.expiresAtMs = model.now.getTime() + action.ttl * 1000;
    return;
  }
  const commit = () => local.store.commit(hold.id, { part: action.actual, final: action.final }, context);
  if (!action.final && action.actual === undefined) {
    await expect(commit()).rejects.toMatchObject({ field: "actualAmount" });
    return;
  }
  const result = await commit();
  if (!held) {
    const repeat = action.final && hold.status === "committed" && result.kind === "ok";
    expect(repeat || result.kind === "conflict").toBe(true);
    return;
  }
  expect(result.kind).toBe("ok");
  const part = action.actual ?? Math.max(0, hold.amount - hold.committed);
  hold.committed = roundAmount(hold.committed + part);
  if (hold.budget && running) hold.budget.committed = roundAmount(hold.budget.committed + part);
  if (action.final) hold.status = "committed";
  model.noteUsage();
}

async function changeLimit(accountId: string, model: Model, limit: number) {
  const stored = await readBudget(accountId);
  const next = withSettings(stored, { ...settingsOf(stored), limit }, model.now);
  if (!next.changed) return;
  const write = { expectedVersion: stored.version, restarted: next.restarted, leftDelta: next.leftDelta };
  expect(await local.store.saveBudget(next.budget, write)).toBe(true);
  model.limit = limit;
  if (next.restarted) {
    model.storedKey = next.budget.periodKey;
    model.over = false;
  }
  model.noteUsage();
}

async function apply(accountId: string, model: Model, action: Step) {
  switch (action.type) {
    case "reserve":
      return reserveBurst(accountId, model, action);
    case "commit":
    case "release":
    case "extend":
      return applyToHold(model, action);
    case "advance":
      model.now = at(model.now, action.seconds);
      return;
    case "rollover": {
      const end = periodContaining(model.now, DAY, "UTC").end;
      if (!end) throw new Error("a day ends");
      model.now = at(end, action.past);
      model.over = false;
      return;
    }
    case "toEnd": {
      const end = periodContaining(model.now, DAY, "UTC").end;
      if (!end) throw new Error("a day ends");
      const then = at(end, -action.before);
      if (then > model.now) model.now = then;
      return;
    }
    case "limit":
      return changeLimit(accountId, model, action.limit);
  }
}

async function checkInvariants(accountId: string, model: Model) {
  const key = model.currentKey();
  const before = await readBudget(accountId);
  if (before.periodKey === key && !model.over) {
    // Never oversubscribed, even before expired holds are taken out (they only make it count more).
    expect(roundAmount(before.held + before.committed)).toBeLessThanOrEqual(before.limit + EPS);
  }
  const account = await local.store.getAccountState(accountId);
  expect(computeBalanceView(account, settle(model.now)).available).toBeGreaterThanOrEqual(0);

  await local.store.correctCounters(accountId, model.now);
  const budget = await readBudget(accountId);
  expect(budget.limit).toBe(model.limit);
  expect(budget.openHolds).toBe(model.openBudgeted());
  expect(budget.periodKey).toBe(model.storedKey);
  if (budget.periodKey === key) {
    const usage = model.usage();
    expect(budget.held).toBeCloseTo(usage.held, 9);
    expect(budget.committed).toBeCloseTo(usage.committed, 9);
    expect(await storedLeft(accountId)).toBeCloseTo(model.limit - usage.held - usage.committed, 9);
    if (usage.held + usage.committed <= model.limit + EPS) model.over = false;
  }
  const state = await local.store.getAccountState(accountId);
  expect(state?.openHolds).toBe(model.holds.filter((h) => model.isHeld(h)).length);
}

describe("budget invariants over random interleavings", () => {
  it("a hard budget is never oversubscribed; its counters are the sums of its holds of the current period", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 10, max: 60 }),
        fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
        fc.array(step, { minLength: 10, maxLength: 20 }),
        async (limit, slots, steps) => {
          const accountId = `budget-prop-${++runs}`;
          const model = new Model(T0, limit, slots);
          await recordPoll(local.store, accountId, 1_000_000, T0);
          const settings = {
            limit,
            period: DAY,
            timeZone: "UTC",
            mode: "hard" as const,
            ...(slots !== undefined ? { maxConcurrentHolds: slots } : {}),
          };
          const budget = newBudget(accountId, BUDGET, settings, T0);
          await local.store.saveBudget(budget, { expectedVersion: 0, restarted: true, leftDelta: 0 });
          for (const action of steps) {
            await apply(accountId, model, action);
            await checkInvariants(accountId, model);
          }
        },
      ),
      { numRuns: Number(process.env.BUDGET_PROPERTY_RUNS ?? 30) },
    );
  }, 120_000);
});
