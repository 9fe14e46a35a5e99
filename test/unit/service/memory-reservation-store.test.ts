import { describe, expect, it } from "vitest";
import { IDEMPOTENCY_WINDOW_MS } from "#core/hold-record";
import { planRelease } from "#core/release-plan";
import { keyAnswerWrite } from "#core/reservation-writes";
import { planReserve } from "#core/reserve-plan";
import { NOW } from "./fakes.ts";
import { MemoryReservationStore } from "./memory-reservation-store.ts";
import { ACCOUNT, keyed, later, reserveOf, rulesAt, storeWithBalance } from "./reservation-fixtures.ts";

/** The fake itself: each named condition refuses as the DynamoDB adapter's ConditionExpression does. */

describe("MemoryReservationStore", () => {
  it("refuses all or nothing, naming every failed condition and reporting the old state", async () => {
    const store = await storeWithBalance(10);
    const planned = planReserve(ACCOUNT, reserveOf(5), rulesAt());
    expect(await store.applyWrites(planned.writes)).toEqual({ applied: true });
    const before = store.counters(ACCOUNT);
    // The same hold again, now also past the headroom: both conditions fail, nothing is written.
    const again = planReserve(ACCOUNT, { ...reserveOf(6), id: planned.hold.id }, rulesAt());
    const outcome = await store.applyWrites(again.writes);
    expect(outcome).toMatchObject({ applied: false, refused: ["headroom-covers", "hold-new"] });
    expect(outcome.applied === false && outcome.account?.headroom).toBe(5);
    expect(store.counters(ACCOUNT)).toEqual(before);
    expect(store.holds.get(planned.hold.id)?.record.amount).toBe(5);
  });

  it("refuses a counter write on a missing state item, reporting no account", async () => {
    const store = new MemoryReservationStore();
    const outcome = await store.applyWrites(planReserve(ACCOUNT, reserveOf(0), rulesAt()).writes);
    expect(outcome).toEqual({ applied: false, refused: ["headroom-covers"] });
  });

  it("lets an unconditional counter write create the state item, as ADD does", async () => {
    const store = new MemoryReservationStore();
    const planned = planReserve(ACCOUNT, reserveOf(3), rulesAt());
    const [, newHold] = planned.writes;
    if (newHold === undefined) throw new Error("no hold write");
    const unguarded = { write: "counter" as const, accountId: ACCOUNT, reservedDelta: 3, openHoldsDelta: 1 };
    expect(await store.applyWrites([unguarded, newHold])).toEqual({ applied: true });
    expect(store.counters(ACCOUNT)).toEqual({ reserved: 3, headroom: -3, openHolds: 1, version: 1 });
  });

  it("refuses a hold change on another version, an ended hold or an expired one", async () => {
    const store = await storeWithBalance(100);
    const planned = planReserve(ACCOUNT, reserveOf(10, { ttlSeconds: 60 }), rulesAt());
    await store.applyWrites(planned.writes);
    const release = planRelease(planned.hold, NOW);
    if (typeof release === "string") throw new Error(release);
    const stale = { ...planned.hold, version: 7 };
    const staleRelease = planRelease(stale, NOW);
    if (typeof staleRelease === "string") throw new Error(staleRelease);
    expect(await store.applyWrites(staleRelease.writes)).toEqual({
      applied: false,
      refused: ["hold-unchanged"],
    });
    const late = planRelease(planned.hold, later(60));
    expect(late).toBe("conflict"); // the planner sees the expiry too; the store checks it at the plan's time
    const atExpiry = {
      ...release,
      writes: release.writes.map((w) =>
        w.write === "hold-change" ? { ...w, atMs: later(60).getTime() } : w,
      ),
    };
    expect(await store.applyWrites(atExpiry.writes)).toEqual({ applied: false, refused: ["hold-unchanged"] });
    expect(await store.applyWrites(release.writes)).toEqual({ applied: true });
    expect(await store.applyWrites(release.writes)).toMatchObject({
      applied: false,
      refused: ["hold-unchanged"],
    });
    expect(store.counters(ACCOUNT)).toMatchObject({ reserved: 0, openHolds: 0 });
  });

  it("refuses a key with a live answer, reporting it, and frees it once the answer expires", async () => {
    const store = await storeWithBalance(100);
    const write = keyAnswerWrite(ACCOUNT, "reserve", ACCOUNT, keyed("k"), NOW, "rsv_x");
    expect(await store.applyWrites([write])).toEqual({ applied: true });
    const other = keyAnswerWrite(ACCOUNT, "reserve", ACCOUNT, keyed("k", "other"), later(1), "rsv_y");
    expect(await store.applyWrites([other])).toEqual({
      applied: false,
      refused: ["key-unused"],
      answer: write.answer,
    });
    const expired = keyAnswerWrite(
      ACCOUNT,
      "reserve",
      ACCOUNT,
      keyed("k"),
      new Date(NOW.getTime() + IDEMPOTENCY_WINDOW_MS),
      "rsv_z",
    );
    expect(await store.applyWrites([expired])).toEqual({ applied: true });
    expect((await store.readKeyAnswer(ACCOUNT, "reserve", ACCOUNT, "k"))?.reservationId).toBe("rsv_z");
  });

  it("throws, as DynamoDB does, on a transaction naming one item twice", async () => {
    const store = await storeWithBalance(100);
    const counter = { write: "counter" as const, accountId: ACCOUNT, reservedDelta: 1, openHoldsDelta: 0 };
    await expect(store.applyWrites([counter, counter])).rejects.toThrow(/multiple operations on one item/);
  });

  it("lists newest first with a cursor, and finds the oldest open hold", async () => {
    const store = await storeWithBalance(100);
    const ids: string[] = [];
    for (const s of [0, 1, 2]) {
      const planned = planReserve(ACCOUNT, reserveOf(1, { ttlSeconds: 100 }, later(s)), rulesAt(later(s)));
      await store.applyWrites(planned.writes);
      ids.push(planned.hold.id);
    }
    const first = await store.listReservations(ACCOUNT, { limit: 2 }, NOW);
    expect(first.reservations.map((r) => r.id)).toEqual([ids[2], ids[1]]);
    const rest = await store.listReservations(
      ACCOUNT,
      { limit: 2, ...(first.nextCursor ? { cursor: first.nextCursor } : {}) },
      NOW,
    );
    expect(rest.reservations.map((r) => r.id)).toEqual([ids[0]]);
    expect((await store.oldestOpenHold(ACCOUNT, later(50)))?.id).toBe(ids[0]);
    expect((await store.oldestOpenHold(ACCOUNT, later(100.5)))?.id).toBe(ids[1]);
  });
});
