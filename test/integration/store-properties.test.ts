import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { reservationIdFor } from "#core/reservation-id";
import { computeBalanceView } from "#core/reservations";
import { at, recordPoll, SETTLE_SECONDS, storeOnDynamoDbLocal, T0 } from "#test/support/store-fixtures";

/**
 * Random interleavings of reserve (in concurrent bursts), commit, release, clock advance (expiry) and poll
 * against DynamoDB Local, checked after every step against a plain model of the design's rules.
 */

interface ModelHold {
  id: string;
  amount: number;
  status: "held" | "committed" | "released";
  expiresAtMs: number;
  committedAtMs?: number;
  actual?: number;
}

class Model {
  holds: ModelHold[] = [];
  constructor(
    public now: Date,
    public remaining: number,
    public observedAtMs: number,
    readonly floor: number,
  ) {}

  private counts(hold: ModelHold): boolean {
    if (hold.status === "held") return hold.expiresAtMs > this.now.getTime();
    if (hold.status === "committed") {
      return this.observedAtMs < (hold.committedAtMs ?? 0) + SETTLE_SECONDS * 1000;
    }
    return false;
  }

  reserved(): number {
    return this.holds.filter((h) => this.counts(h)).reduce((sum, h) => sum + (h.actual ?? h.amount), 0);
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
  {
    weight: 2,
    arbitrary: fc.record({
      type: fc.constant("commit" as const),
      pick: fc.nat(),
      actual: fc.option(amount, { nil: undefined }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ type: fc.constant("release" as const), pick: fc.nat() }) },
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
      local.store.reserve(accountId, { id: reservationIdFor(accountId), amount: a, ttlSeconds: ttl }, rules),
    ),
  );
  let granted = 0;
  for (const result of results) {
    if (result.kind !== "created") continue;
    granted += result.hold.amount;
    model.holds.push({
      id: result.hold.id,
      amount: result.hold.amount,
      status: "held",
      expiresAtMs: result.hold.expiresAtMs,
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

async function applyEnd(model: Model, action: Extract<Step, { type: "commit" | "release" }>) {
  const hold = model.holds[action.pick % Math.max(1, model.holds.length)];
  if (hold === undefined) return;
  const held = model.isHeld(hold);
  const result =
    action.type === "commit"
      ? await local.store.commit(hold.id, action.actual, model.now)
      : await local.store.release(hold.id, model.now);
  expect(result.kind).toBe(held ? "ok" : "not_held");
  if (!held) return;
  if (action.type === "release") {
    hold.status = "released";
    return;
  }
  hold.status = "committed";
  hold.committedAtMs = model.now.getTime();
  if (action.actual !== undefined) hold.actual = action.actual;
}

async function apply(accountId: string, model: Model, action: Step) {
  switch (action.type) {
    case "reserve":
      return applyReserveBurst(accountId, model, action.amounts, action.ttl);
    case "commit":
    case "release":
      return applyEnd(model, action);
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
  const state = await local.store.getAccountState(accountId);
  if (state === undefined) throw new Error("state item missing");
  const view = computeBalanceView(state, {
    now: model.now,
    reserveFloor: model.floor,
    settleSeconds: SETTLE_SECONDS,
  });
  expect(view.reserved).toBeCloseTo(model.reserved(), 9);
  expect(view.available).toBeCloseTo(model.remaining - view.reserved - model.floor, 9);
  expect(state.headroom).toBeLessThanOrEqual((view.available ?? 0) + 1e-9);
}

describe("store invariants over random interleavings", () => {
  it("reserved = Σ active holds, available = remaining − reserved − floor, headroom ≤ available", async () => {
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
