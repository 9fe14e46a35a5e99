import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Hold } from "#core/account";
import { convertLegacyHolds } from "#core/legacy-holds";
import { computeBalanceView, heldPart, planCommit, reservationView, shortfallOf } from "#core/reservations";
import { at, hold, holdsById, snapshot, T0 } from "#test/support/store-fixtures";

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

describe("planCommit and heldPart", () => {
  const h = hold(ACCOUNT, { amount: 10, committedAmount: 3 });
  it("a partial commit counts its part and stops counting the held part it covers", () => {
    expect(heldPart(h)).toBe(7);
    expect(planCommit(h, 2, false)).toEqual({ part: 2, committedAmount: 5, reservedDelta: 0 });
    expect(planCommit(h, 9, false)).toEqual({ part: 9, committedAmount: 12, reservedDelta: 2 });
  });
  it("a final commit counts its part and ends the held part; without an actual it commits what is held", () => {
    expect(planCommit(h, 2, true)).toEqual({ part: 2, committedAmount: 5, reservedDelta: -5 });
    expect(planCommit(h, undefined, true)).toEqual({ part: 7, committedAmount: 10, reservedDelta: 0 });
    expect(planCommit(h, 8.5, true)).toEqual({ part: 8.5, committedAmount: 11.5, reservedDelta: 1.5 });
  });
  it("an ended hold holds nothing", () => {
    expect(heldPart({ ...h, status: "released" })).toBe(0);
  });
});

describe("computeBalanceView on a state item of the release before (holds inside it)", () => {
  it("subtracts held holds and the reserve floor from remaining", () => {
    const holds = holdsById(hold(ACCOUNT, { amount: 10 }), hold(ACCOUNT, { amount: 2.5 }));
    const view = computeBalanceView({ latest: snapshot(ACCOUNT, 100, T0), holds }, rules(T0, 7));
    expect(view.reserved).toBe(12.5);
    expect(view.available).toBe(100 - 12.5 - 7);
  });

  it("stops counting a held hold the moment it expires", () => {
    const expiring = hold(ACCOUNT, { amount: 10, expiresAtMs: at(T0, 30).getTime() });
    const source = { latest: snapshot(ACCOUNT, 100, T0), holds: holdsById(expiring) };
    expect(computeBalanceView(source, rules(at(T0, 29.999))).available).toBe(90);
    expect(computeBalanceView(source, rules(at(T0, 30))).available).toBe(100);
  });

  it("does not count released holds", () => {
    const released = hold(ACCOUNT, { amount: 10, status: "released", releasedAt: T0.toISOString() });
    const view = computeBalanceView(
      { latest: snapshot(ACCOUNT, 50, T0), holds: holdsById(released) },
      rules(T0),
    );
    expect(view).toMatchObject({ reserved: 0, available: 50 });
  });

  it("counts a committed hold at its actual amount until a snapshot settleSeconds after the commit", () => {
    const committed = hold(ACCOUNT, {
      amount: 10,
      status: "committed",
      committedAt: at(T0, 100).toISOString(),
      actualAmount: 12,
    });
    const holds = holdsById(committed);
    const now = at(T0, 1000);
    const before = computeBalanceView({ latest: snapshot(ACCOUNT, 100, at(T0, 159)), holds }, rules(now));
    expect(before).toMatchObject({ reserved: 12, available: 88 });
    const settled = computeBalanceView({ latest: snapshot(ACCOUNT, 88, at(T0, 160)), holds }, rules(now));
    expect(settled).toMatchObject({ reserved: 0, available: 88 });
  });

  it("keeps counting a committed hold, however late, while no newer snapshot exists", () => {
    const committed = hold(ACCOUNT, {
      amount: 4,
      status: "committed",
      committedAt: at(T0, 10).toISOString(),
    });
    const source = { latest: snapshot(ACCOUNT, 20, T0), holds: holdsById(committed) };
    expect(computeBalanceView(source, rules(at(T0, 86_400 * 30))).reserved).toBe(4);
  });

  it("rounds away float drift so an exact fit stays a fit", () => {
    const holds = holdsById(hold(ACCOUNT, { amount: 0.1 }), hold(ACCOUNT, { amount: 0.2 }));
    const view = computeBalanceView({ latest: snapshot(ACCOUNT, 0.6, T0), holds }, rules(T0));
    expect(view.reserved).toBe(0.3);
    expect(view.available).toBe(0.3);
  });

  it("reports a negative available when spend exceeds the balance", () => {
    const view = computeBalanceView(
      { latest: snapshot(ACCOUNT, 5, T0), holds: holdsById(hold(ACCOUNT, { amount: 8 })) },
      rules(T0, 1),
    );
    expect(view.available).toBe(-4);
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
      actualAmount: 2,
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

const arbitraryHold = fc
  .record({
    amount: fc.double({ min: 0.01, max: 100, noNaN: true }),
    status: fc.constantFrom("held", "committed", "released") as fc.Arbitrary<Hold["status"]>,
    expiresIn: fc.integer({ min: -7200, max: 7200 }),
    committedAgo: fc.integer({ min: 0, max: 7200 }),
    actual: fc.option(fc.double({ min: 0, max: 150, noNaN: true }), { nil: undefined }),
  })
  .map((r) =>
    hold(ACCOUNT, {
      amount: r.amount,
      status: r.status,
      expiresAtMs: at(T0, r.expiresIn).getTime(),
      ...(r.status === "committed"
        ? { committedAt: at(T0, -r.committedAgo).toISOString(), actualAmount: r.actual }
        : {}),
      ...(r.status === "released" ? { releasedAt: T0.toISOString() } : {}),
    }),
  );

describe("balance view properties", () => {
  const input = fc.record({
    holds: fc.array(arbitraryHold, { maxLength: 12 }),
    remaining: fc.double({ min: 0, max: 1000, noNaN: true }),
    floor: fc.double({ min: 0, max: 50, noNaN: true }),
    snapshotAgo: fc.integer({ min: 0, max: 7200 }),
    later: fc.integer({ min: 0, max: 10_000 }),
  });

  it("available is remaining − reserved − floor, and reserved is the cost of the active holds", () => {
    fc.assert(
      fc.property(input, ({ holds, remaining, floor, snapshotAgo }) => {
        const source = {
          latest: snapshot(ACCOUNT, remaining, at(T0, -snapshotAgo)),
          holds: holdsById(...holds),
        };
        const view = computeBalanceView(source, rules(T0, floor));
        const converted = convertLegacyHolds(source.holds, source.latest, rules(T0));
        const active = new Set(
          converted.holds
            .filter((c) => c.heldCounts || c.unsettledCommitted !== undefined)
            .map((c) => c.hold.id),
        );
        const activeCost = holds
          .filter((h) => active.has(h.id))
          .reduce((s, h) => s + (h.status === "committed" ? (h.actualAmount ?? h.amount) : h.amount), 0);
        expect(view.reserved).toBeCloseTo(activeCost, 8);
        expect(view.available).toBeCloseTo(remaining - view.reserved - floor, 8);
        for (const h of holds) {
          if (h.status === "released") expect(active.has(h.id)).toBe(false);
          if (h.status === "held") expect(active.has(h.id)).toBe(h.expiresAtMs > T0.getTime());
        }
      }),
    );
  });

  it("time passing without a new snapshot never lowers available (holds only expire)", () => {
    fc.assert(
      fc.property(input, ({ holds, remaining, floor, snapshotAgo, later }) => {
        const source = {
          latest: snapshot(ACCOUNT, remaining, at(T0, -snapshotAgo)),
          holds: holdsById(...holds),
        };
        const now = computeBalanceView(source, rules(T0, floor)).available ?? 0;
        const afterwards = computeBalanceView(source, rules(at(T0, later), floor)).available ?? 0;
        expect(afterwards).toBeGreaterThanOrEqual(now);
      }),
    );
  });

  it("a newer snapshot never brings a settled commit back into the count", () => {
    fc.assert(
      fc.property(input, ({ holds, remaining, snapshotAgo, later }) => {
        const older = {
          latest: snapshot(ACCOUNT, remaining, at(T0, -snapshotAgo)),
          holds: holdsById(...holds),
        };
        const newer = { ...older, latest: snapshot(ACCOUNT, remaining, at(T0, later)) };
        const counted = (s: typeof older) =>
          new Set(
            convertLegacyHolds(s.holds, s.latest, rules(at(T0, later)))
              .holds.filter((c) => c.heldCounts || c.unsettledCommitted !== undefined)
              .map((c) => c.hold.id),
          );
        const stillCounted = counted(newer);
        for (const id of stillCounted) expect(counted(older).has(id)).toBe(true);
      }),
    );
  });
});
