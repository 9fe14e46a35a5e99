import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { computeBalanceView, roundAmount } from "#core/reservations";
import { holdChangeSteps } from "#test/support/hold-change-steps";
import {
  at,
  recordPoll,
  reserveRequest,
  SETTLE_SECONDS,
  settle,
  storeOnDynamoDbLocal,
  T0,
} from "#test/support/store-fixtures";

/**
 * Random interleavings of reserve (in concurrent bursts), extend, partial and final commit, release, clock
 * advance (expiry) and poll against DynamoDB Local, checked after every step against a plain model of the
 * rules: the counter never counts less than the model (so it never grants more than exists), and once
 * corrected for expiries and settlement it equals the model exactly.
 */

interface ModelHold {
  id: string;
  amount: number;
  status: "held" | "committed" | "released";
  expiresAtMs: number;
  committed: number;
  parts: { amount: number; atMs: number }[];
}

class Model {
  holds: ModelHold[] = [];
  constructor(
    public now: Date,
    public remaining: number,
    public observedAtMs: number,
    readonly floor: number,
  ) {}

  reserved(): number {
    let sum = 0;
    for (const hold of this.holds) {
      if (this.isHeld(hold)) sum += Math.max(0, hold.amount - hold.committed);
      for (const part of hold.parts) {
        if (this.observedAtMs < part.atMs + SETTLE_SECONDS * 1000) sum += part.amount;
      }
    }
    return roundAmount(sum);
  }

  available(): number {
    return this.remaining - this.reserved() - this.floor;
  }

  isHeld(hold: ModelHold): boolean {
    return hold.status === "held" && hold.expiresAtMs > this.now.getTime();
  }
}

const amount = fc.integer({ min: 1, max: 400 }).map((quarters) => quarters / 4);
const step = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      type: fc.constant("reserve" as const),
      amounts: fc.array(amount, { minLength: 1, maxLength: 4 }),
      ttl: fc.integer({ min: 10, max: 600 }),
    }),
  },
  ...holdChangeSteps(amount),
  {
    weight: 2,
    arbitrary: fc.record({
      type: fc.constant("advance" as const),
      seconds: fc.oneof(fc.integer({ min: 1, max: 400 }), fc.constant(86_400 + 60)),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ type: fc.constant("poll" as const), remaining: fc.integer({ min: 0, max: 300 }) }),
  },
);
type Step = typeof step extends fc.Arbitrary<infer S> ? S : never;

const local = storeOnDynamoDbLocal();
let runs = 0;

async function applyReserveBurst(accountId: string, model: Model, amounts: number[], ttl: number) {
  const availableBefore = model.available();
  const rules = { now: model.now, reserveFloor: model.floor, settleSeconds: SETTLE_SECONDS };
  const results = await Promise.all(
    amounts.map((a) =>
      local.store.reserve(accountId, reserveRequest(accountId, a, model.now, { ttl }), rules),
    ),
  );
  let granted = 0;
  for (const result of results) {
    if (result.kind !== "created") continue;
    granted += result.view.amount;
    model.holds.push({
      id: result.view.id,
      amount: result.view.amount,
      status: "held",
      expiresAtMs: Date.parse(result.view.expiresAt),
      committed: 0,
      parts: [],
    });
  }
  if (granted > 0) expect(granted).toBeLessThanOrEqual(availableBefore + 1e-9);
  for (const [i, result] of results.entries()) {
    if (result.kind === "created") continue;
    expect(result.kind).toBe("insufficient");
    // Only grants lower available, so a denial means the amount did not fit even after all of them.
    expect(amounts[i]).toBeGreaterThan(availableBefore - granted - 1e-9);
  }
}

async function applyToHold(model: Model, action: Extract<Step, { type: "commit" | "release" | "extend" }>) {
  const hold = model.holds[action.pick % Math.max(1, model.holds.length)];
  if (hold === undefined) return;
  const held = model.isHeld(hold);
  const context = settle(model.now, model.floor);
  if (action.type === "release") {
    const result = await local.store.release(hold.id, context);
    expect(result.kind).toBe(held || hold.status === "released" ? "ok" : "conflict");
    if (held) hold.status = "released";
    return;
  }
  if (action.type === "extend") {
    const newAmount = roundAmount(hold.amount + (action.more ?? 0));
    const increase = roundAmount(
      Math.max(0, newAmount - hold.committed) - Math.max(0, hold.amount - hold.committed),
    );
    // The store checks the balance only for an increase (reservation-store.ts, extend): an extend that asks
    // for nothing more is never refused, even when a poll has since left `available` below zero.
    const fits = increase <= 0 || increase <= model.available() + 1e-9;
    const result = await local.store.extend(
      hold.id,
      { amount: newAmount, ...(action.ttl ? { ttlSeconds: action.ttl } : {}) },
      context,
    );
    if (!held) return expect(result.kind).toBe("conflict");
    // The counter may still count expired holds (conservative): a denial is allowed where the model fits.
    if (!fits) expect(result.kind).toBe("insufficient");
    if (result.kind !== "ok") return;
    hold.amount = newAmount;
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
  const heldPart = Math.max(0, hold.amount - hold.committed);
  const part = action.actual ?? heldPart;
  // Past the held part a commit is bounded by available (the counter may still count expired holds, so a
  // refusal is allowed wherever the part exceeds the held part); a refused commit changes nothing.
  if (result.kind === "exceeds-available") return expect(part).toBeGreaterThan(heldPart);
  expect(result.kind).toBe("ok");
  hold.committed = roundAmount(hold.committed + part);
  if (part > 0) hold.parts.push({ amount: part, atMs: model.now.getTime() });
  if (action.final) hold.status = "committed";
}

async function apply(accountId: string, model: Model, action: Step) {
  switch (action.type) {
    case "reserve":
      return applyReserveBurst(accountId, model, action.amounts, action.ttl);
    case "commit":
    case "release":
    case "extend":
      return applyToHold(model, action);
    case "advance":
      model.now = at(model.now, action.seconds);
      return;
    case "poll":
      await recordPoll(local.store, accountId, action.remaining, model.now, model.floor);
      model.remaining = action.remaining;
      model.observedAtMs = model.now.getTime();
      return;
  }
}

async function checkInvariants(accountId: string, model: Model) {
  const rules = { now: model.now, reserveFloor: model.floor, settleSeconds: SETTLE_SECONDS };
  const before = computeBalanceView(await local.store.getAccountState(accountId), rules);
  // Conservative: the counter never counts less than what truly counts.
  expect(before.reserved).toBeGreaterThanOrEqual(model.reserved() - 1e-9);
  await local.store.correctCounters(accountId, model.now, model.observedAtMs - SETTLE_SECONDS * 1000);
  const state = await local.store.getAccountState(accountId);
  if (state === undefined) throw new Error("state item missing");
  const view = computeBalanceView(state, rules);
  expect(view.reserved).toBeCloseTo(model.reserved(), 9);
  expect(view.available).toBeCloseTo(model.remaining - model.reserved() - model.floor, 9);
  expect(state.headroom).toBeCloseTo(view.available ?? 0, 9);
  expect(state.openHolds).toBe(model.holds.filter((h) => model.isHeld(h)).length);
}

describe("store invariants over random interleavings", () => {
  it("reserved = Σ active held + Σ unsettled committed, available = remaining − reserved − floor", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 300 }),
        fc.integer({ min: 0, max: 20 }),
        fc.array(step, { minLength: 1, maxLength: 25 }),
        async (remaining, floor, steps) => {
          const accountId = `prop-${++runs}`;
          const model = new Model(T0, remaining, T0.getTime(), floor);
          await recordPoll(local.store, accountId, remaining, T0, floor);
          for (const action of steps) {
            await apply(accountId, model, action);
            await checkInvariants(accountId, model);
          }
        },
      ),
      { numRuns: 25 },
    );
  }, 120_000);
});
