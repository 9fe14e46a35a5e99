import { describe, expect, it } from "vitest";
import {
  commitAmounts,
  computeBalanceView,
  heldPart,
  reservationView,
  shortfallOf,
} from "#core/reservations";
import { at, hold, snapshot, T0 } from "#test/support/store-fixtures";

const ACCOUNT = "acme";
const SETTLE = 60;
const rules = (now: Date, reserveFloor = 0) => ({ now, reserveFloor, settleSeconds: SETTLE });

describe("computeBalanceView on the counter", () => {
  it("is remaining − reserved − floor, unknown before the first snapshot", () => {
    expect(computeBalanceView({ reserved: 5 }, rules(T0))).toEqual({
      remaining: null,
      reserved: 5,
      available: null,
    });
    expect(computeBalanceView({ latest: snapshot(ACCOUNT, 100, T0), reserved: 12.5 }, rules(T0, 7))).toEqual({
      remaining: 100,
      reserved: 12.5,
      available: 80.5,
    });
  });
});

describe("commitAmounts and heldPart", () => {
  const h = hold(ACCOUNT, { amount: 10, committedAmount: 3 });
  it("a partial commit counts its part and stops counting the held part it covers", () => {
    expect(heldPart(h)).toBe(7);
    expect(commitAmounts(h, 2, false)).toEqual({ part: 2, committedAmount: 5, reservedDelta: 0 });
    expect(commitAmounts(h, 9, false)).toEqual({ part: 9, committedAmount: 12, reservedDelta: 2 });
  });
  it("a final commit counts its part and ends the held part; without an actual it commits what is held", () => {
    expect(commitAmounts(h, 2, true)).toEqual({ part: 2, committedAmount: 5, reservedDelta: -5 });
    expect(commitAmounts(h, undefined, true)).toEqual({ part: 7, committedAmount: 10, reservedDelta: 0 });
    expect(commitAmounts(h, 8.5, true)).toEqual({ part: 8.5, committedAmount: 11.5, reservedDelta: 1.5 });
  });
  it("an ended hold holds nothing", () => {
    expect(heldPart({ ...h, status: "released" })).toBe(0);
  });
});

describe("reservationView", () => {
  it("shows an expired held hold as expired, with its account, ISO times and unit", () => {
    const h = hold(ACCOUNT, { amount: 3, expiresAtMs: at(T0, 60).getTime(), estimate: { total: 3 } });
    const view = reservationView(h, at(T0, 61), "credits");
    expect(view).toEqual({
      id: h.id,
      accountId: ACCOUNT,
      amount: 3,
      unit: "credits",
      status: "expired",
      committedAmount: 0,
      heldAmount: 0,
      createdAt: T0.toISOString(),
      expiresAt: at(T0, 60).toISOString(),
      estimate: { total: 3 },
    });
    expect(reservationView(h, at(T0, 59)).status).toBe("held");
  });

  it("carries commit details", () => {
    const h = hold(ACCOUNT, {
      amount: 3,
      status: "committed",
      committedAt: T0.toISOString(),
      committedAmount: 2,
    });
    expect(reservationView(h, at(T0, 7200))).toMatchObject({
      status: "committed",
      committedAt: T0.toISOString(),
      actualAmount: 2,
    });
  });
});

describe("shortfallOf", () => {
  it("is what is missing, without float drift", () => {
    expect(shortfallOf(0.3, 0.1)).toEqual({ required: 0.3, available: 0.1, shortfall: 0.2 });
  });
});
