import { describe, expect, it } from "vitest";
import { type Budget, newBudget } from "#core/budget";
import { commitHold, extendHold, releaseHold, reserveHold } from "#service/reservation-operations";
import { NOW } from "./fakes.ts";
import type { MemoryReservationStore } from "./memory-reservation-store.ts";
import { ACCOUNT, contextAt, later, reserveOf, rulesAt, storeWithBalance } from "./reservation-fixtures.ts";

/**
 * Reserving through a budget with the reserve loop over the in-memory store (which evaluates each budget
 * condition as the DynamoDB adapter does): what each refusal answers, and the races the loop plans again on.
 * NOW is 12:00 UTC on 30 November 2026, so a UTC day budget's period ends 12 hours later.
 */

const END_OF_DAY = new Date("2026-12-01T00:00:00.000Z");

function budgetIn(store: MemoryReservationStore, fields: Partial<Budget> = {}): Budget {
  const budget: Budget = {
    ...newBudget(ACCOUNT, "team", { limit: 25, period: "day", timeZone: "UTC", mode: "hard" }, NOW),
    ...fields,
  };
  store.budgetItems.set(`${ACCOUNT}/team`, {
    ...structuredClone(budget),
    left: budget.limit - budget.held - budget.committed,
  });
  return budget;
}
const stored = (store: MemoryReservationStore) => store.budgetItems.get(`${ACCOUNT}/team`);

describe("reserving through a budget", () => {
  it("moves the account and the budget in one transaction, and records the hold's period", async () => {
    const store = await storeWithBalance(100);
    const budget = budgetIn(store);
    const request = reserveOf(10, { budget, principal: "arn:aws:iam::1:user/ci" });
    const result = await reserveHold(store, ACCOUNT, request, rulesAt());
    expect(result).toMatchObject({
      kind: "created",
      view: { budget: "team", principal: "arn:aws:iam::1:user/ci" },
    });
    expect(store.transactions).toHaveLength(1);
    expect(stored(store)).toMatchObject({ held: 10, committed: 0, left: 15, openHolds: 1 });
    expect(store.holds.get(request.id)?.record.budget).toEqual({
      budgetId: "team",
      periodKey: "2026-11-30",
      periodEndMs: END_OF_DAY.getTime(),
    });
  });

  it("refuses what the budget cannot cover after one correction, writing nothing", async () => {
    const store = await storeWithBalance(100);
    const budget = budgetIn(store, { held: 20, openHolds: 2 });
    store.budgetItems.set(`${ACCOUNT}/team`, { ...structuredClone(budget), left: 5 });
    const result = await reserveHold(store, ACCOUNT, reserveOf(10, { budget }), rulesAt());
    expect(result).toEqual({
      kind: "budget-refused",
      refusal: {
        type: "budget-exhausted",
        budgetId: "team",
        period: "day",
        periodEnd: END_OF_DAY.toISOString(),
        required: 10,
        available: 5,
        shortfall: 5,
      },
    });
    expect(store.correctionCalls).toBe(2); // the snapshot's, then the reserve's one
    expect(store.counters(ACCOUNT)).toMatchObject({ reserved: 0, openHolds: 0 });
    expect(stored(store)).toMatchObject({ held: 20, left: 5 });
  });

  it("plans again on the budget as found when another writer started the new period first", async () => {
    const store = await storeWithBalance(100, later(13 * 3600));
    // Read yesterday; by the write, a concurrent reserve has started today's period with 20 held.
    const read = budgetIn(store, { held: 24 });
    store.beforeNextApply(() => {
      const item = stored(store);
      if (item) Object.assign(item, { periodKey: "2026-12-01", held: 20, committed: 0, left: 5 });
    });
    const now = later(13 * 3600);
    const refused = await reserveHold(store, ACCOUNT, reserveOf(10, { budget: read }, now), rulesAt(now));
    expect(refused).toMatchObject({
      kind: "budget-refused",
      refusal: { type: "budget-exhausted", available: 5 },
    });
    const fits = await reserveHold(store, ACCOUNT, reserveOf(5, { budget: read }, now), rulesAt(now));
    expect(fits.kind).toBe("created");
    expect(stored(store)).toMatchObject({ periodKey: "2026-12-01", held: 25, left: 0 });
  });

  it("starts a new period once: the stored counters of yesterday are replaced, not added to", async () => {
    const store = await storeWithBalance(100, later(13 * 3600));
    const budget = budgetIn(store, { held: 24, committed: 1, openHolds: 1 });
    const now = later(13 * 3600);
    expect((await reserveHold(store, ACCOUNT, reserveOf(25, { budget }, now), rulesAt(now))).kind).toBe(
      "created",
    );
    expect(stored(store)).toMatchObject({
      periodKey: "2026-12-01",
      held: 25,
      committed: 0,
      left: 0,
      openHolds: 2,
    });
  });

  it("refuses by the budget's slots and an account's maxConcurrentJobs, each with its counts", async () => {
    const store = await storeWithBalance(100);
    const budget = budgetIn(store, { maxConcurrentHolds: 1 });
    await reserveHold(store, ACCOUNT, reserveOf(1, { budget }), rulesAt());
    expect(
      await reserveHold(store, ACCOUNT, reserveOf(1, { budget }, later(1)), rulesAt(later(1))),
    ).toMatchObject({
      kind: "budget-refused",
      refusal: { type: "no-free-slot", maxConcurrentHolds: 1, openHolds: 1 },
    });
    const slots = reserveOf(1, { maxOpenHolds: 1 }, later(2));
    expect(await reserveHold(store, ACCOUNT, slots, rulesAt(later(2)))).toEqual({
      kind: "no-free-slot",
      limit: 1,
      openHolds: 1,
    });
  });

  it("a slot taken by an expired hold is freed by the correction and granted", async () => {
    const store = await storeWithBalance(100);
    const budget = budgetIn(store, { maxConcurrentHolds: 1 });
    await reserveHold(store, ACCOUNT, reserveOf(3, { budget, ttlSeconds: 60 }), rulesAt());
    const now = later(120);
    const result = await reserveHold(store, ACCOUNT, reserveOf(2, { budget }, now), rulesAt(now));
    expect(result.kind).toBe("created");
    expect(stored(store)).toMatchObject({ held: 2, left: 23, openHolds: 1 });
  });

  it("a paused budget refuses with its reason; a budget deleted since it was read is unknown", async () => {
    const store = await storeWithBalance(100);
    const budget = budgetIn(store, { paused: { reason: "over", at: NOW.toISOString(), by: "arn:x" } });
    expect(await reserveHold(store, ACCOUNT, reserveOf(1, { budget }), rulesAt())).toMatchObject({
      kind: "budget-refused",
      refusal: { type: "paused", reason: "over" },
    });
    store.budgetItems.clear();
    expect(await reserveHold(store, ACCOUNT, reserveOf(1, { budget }, later(1)), rulesAt(later(1)))).toEqual({
      kind: "unknown-budget",
    });
  });

  it("a soft budget grants past its limit", async () => {
    const store = await storeWithBalance(100);
    const budget = budgetIn(store, { mode: "soft" });
    expect((await reserveHold(store, ACCOUNT, reserveOf(40, { budget }), rulesAt())).kind).toBe("created");
    expect(stored(store)).toMatchObject({ held: 40, left: -15 });
  });
});

describe("a budgeted hold's changes", () => {
  async function heldThrough(amount: number, fields: Partial<Budget> = {}) {
    const store = await storeWithBalance(100);
    const budget = budgetIn(store, fields);
    const request = reserveOf(amount, { budget });
    await reserveHold(store, ACCOUNT, request, rulesAt());
    return { store, id: request.id };
  }

  it("a partial then a final commit move held to committed; the slot frees with the final one", async () => {
    const { store, id } = await heldThrough(10);
    await commitHold(store, id, { part: 4, final: false }, contextAt(later(1)));
    expect(stored(store)).toMatchObject({ held: 6, committed: 4, left: 15, openHolds: 1 });
    await commitHold(store, id, { part: 8, final: true, beyondAvailable: "charged" }, contextAt(later(2)));
    // Past the hold: HeyGen charged it, so the budget records it, as the account does.
    expect(stored(store)).toMatchObject({ held: 0, committed: 12, left: 13, openHolds: 0 });
  });

  it("a release gives back the held part and the slot", async () => {
    const { store, id } = await heldThrough(10);
    await releaseHold(store, id, contextAt(later(1)));
    expect(stored(store)).toMatchObject({ held: 0, committed: 0, left: 25, openHolds: 0 });
  });

  it("after a settings change restarted the budget's period, a commit frees only its slot", async () => {
    const { store, id } = await heldThrough(10);
    const item = stored(store);
    if (item)
      Object.assign(item, { periodKey: "2026-11-30T12", period: "hour", held: 0, committed: 0, left: 25 });
    const result = await commitHold(store, id, { final: true }, contextAt(later(1)));
    expect(result.kind).toBe("ok");
    expect(stored(store)).toMatchObject({ held: 0, committed: 0, left: 25, openHolds: 0 });
    expect(store.counters(ACCOUNT)).toMatchObject({ openHolds: 0 });
  });

  it("a raise is checked against the budget: over its cap per job or its left, and refused after its period", async () => {
    const { store, id } = await heldThrough(10, { maxPerJob: 12 });
    expect(await extendHold(store, id, { amount: 13 }, contextAt(later(1)))).toMatchObject({
      kind: "budget-refused",
      refusal: { type: "budget-max-per-job", maxPerJob: 12, amount: 13 },
    });
    expect((await extendHold(store, id, { amount: 12 }, contextAt(later(2)))).kind).toBe("ok");
    expect(stored(store)).toMatchObject({ held: 12, left: 13 });
    const late = new Date(END_OF_DAY.getTime() + 1000);
    expect(await extendHold(store, id, { amount: 12, ttlSeconds: 60 }, contextAt(late))).toMatchObject({
      kind: "conflict", // expired by then (ttl 600 s): the hold is no longer held
    });
  });

  it("a raise of a live hold whose period ended is budget-period-ended; moving only its expiry is allowed", async () => {
    const store = await storeWithBalance(100);
    const budget = budgetIn(store);
    const request = reserveOf(5, { budget, ttlSeconds: 86_400 });
    await reserveHold(store, ACCOUNT, request, rulesAt());
    const late = new Date(END_OF_DAY.getTime() + 1000);
    expect(await extendHold(store, request.id, { amount: 6 }, contextAt(late))).toEqual({
      kind: "budget-period-ended",
      budgetId: "team",
    });
    expect((await extendHold(store, request.id, { ttlSeconds: 60 }, contextAt(late))).kind).toBe("ok");
  });
});
