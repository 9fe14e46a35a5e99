import { describe, expect, it } from "vitest";
import { reserveHold } from "#service/reservation-operations";
import { NOW, snapshotOf } from "./fakes.ts";
import { LostAnswerError, MemoryReservationStore } from "./memory-reservation-store.ts";
import {
  ACCOUNT,
  keyed,
  later,
  reserveOf,
  rulesAt,
  SETTLE_SECONDS,
  storeWithBalance,
} from "./reservation-fixtures.ts";

/** reserveHold (the reserve loop over the planners) against the in-memory store: what it answers and stores. */

const guard = (at: Date = NOW) => ({ observedAtOrAfter: at.toISOString(), unit: "credits" as const });

describe("reserveHold", () => {
  it("holds the amount when headroom covers it, in one transaction", async () => {
    const store = await storeWithBalance(100);
    const request = reserveOf(40);
    const result = await reserveHold(store, ACCOUNT, request, rulesAt(), guard());
    expect(result).toMatchObject({ kind: "created", view: { id: request.id, amount: 40, heldAmount: 40 } });
    expect(store.counters(ACCOUNT)).toMatchObject({ reserved: 40, headroom: 60, openHolds: 1 });
    expect(store.isCounted(request.id)).toBe(true);
    expect(store.applyCalls).toBe(1);
    expect(store.correctionCalls).toBe(1); // the snapshot's own correction, none by the reserve
  });

  it("answers insufficient with the shortfall after one correction that freed nothing", async () => {
    const store = await storeWithBalance(100);
    await reserveHold(store, ACCOUNT, reserveOf(70), rulesAt());
    const before = store.counters(ACCOUNT);
    const result = await reserveHold(store, ACCOUNT, reserveOf(50), rulesAt(), guard());
    expect(result).toEqual({ kind: "insufficient", required: 50, available: 30, shortfall: 20 });
    expect(store.counters(ACCOUNT)).toEqual(before);
    expect(store.holds.size).toBe(1);
    expect(store.correctionCalls).toBe(2);
  });

  it("counts the reserve floor: what the floor keeps is not available", async () => {
    const store = await storeWithBalance(100, NOW, 25);
    const result = await reserveHold(store, ACCOUNT, reserveOf(80), rulesAt(NOW, 25));
    expect(result).toEqual({ kind: "insufficient", required: 80, available: 75, shortfall: 5 });
    expect(store.counters(ACCOUNT)).toMatchObject({ reserved: 0, headroom: 75 });
  });

  it("answers no-balance before any snapshot, and writes nothing", async () => {
    const store = new MemoryReservationStore();
    const result = await reserveHold(store, ACCOUNT, reserveOf(1), rulesAt());
    expect(result).toEqual({ kind: "no-balance" });
    expect(store.accounts.size).toBe(0);
    expect(store.holds.size).toBe(0);
  });

  it("answers stale when the recorded balance is older than the guard or in another unit", async () => {
    const store = await storeWithBalance(100);
    const newer = await reserveHold(store, ACCOUNT, reserveOf(10), rulesAt(), guard(later(1)));
    expect(newer).toEqual({ kind: "stale" });
    const usd = { observedAtOrAfter: NOW.toISOString(), unit: "usd" as const };
    expect(await reserveHold(store, ACCOUNT, reserveOf(10), rulesAt(), usd)).toEqual({ kind: "stale" });
    expect(store.counters(ACCOUNT)).toMatchObject({ reserved: 0, headroom: 100, openHolds: 0 });
    expect(store.holds.size).toBe(0);
  });

  it("replays an Idempotency-Key: the same request gets the first hold, held once", async () => {
    const store = await storeWithBalance(100);
    const first = await reserveHold(
      store,
      ACCOUNT,
      reserveOf(30, { idempotencyKey: keyed("k1") }),
      rulesAt(),
    );
    const again = await reserveHold(
      store,
      ACCOUNT,
      reserveOf(30, { idempotencyKey: keyed("k1") }, later(5)),
      rulesAt(later(5)),
    );
    expect(first.kind).toBe("created");
    expect(again.kind).toBe("existing");
    if (first.kind !== "created" || again.kind !== "existing") return;
    expect(again.view.id).toBe(first.view.id);
    expect(store.holds.size).toBe(1);
    expect(store.counters(ACCOUNT)).toMatchObject({ reserved: 30, openHolds: 1 });
  });

  it("replays a key even when the replay would no longer fit (the counter refused, the key answered)", async () => {
    const store = await storeWithBalance(100);
    await reserveHold(store, ACCOUNT, reserveOf(80, { idempotencyKey: keyed("big") }), rulesAt());
    const again = await reserveHold(
      store,
      ACCOUNT,
      reserveOf(80, { idempotencyKey: keyed("big") }),
      rulesAt(),
    );
    expect(again.kind).toBe("existing");
    expect(store.counters(ACCOUNT)).toMatchObject({ reserved: 80, openHolds: 1 });
  });

  it("refuses a key sent again with another request (key-reused), holding nothing more", async () => {
    const store = await storeWithBalance(100);
    await reserveHold(store, ACCOUNT, reserveOf(30, { idempotencyKey: keyed("k1", "a") }), rulesAt());
    const other = await reserveHold(
      store,
      ACCOUNT,
      reserveOf(31, { idempotencyKey: keyed("k1", "b") }),
      rulesAt(),
    );
    expect(other).toEqual({ kind: "key-reused" });
    expect(store.holds.size).toBe(1);
    expect(store.counters(ACCOUNT)).toMatchObject({ reserved: 30 });
  });

  it("frees the key after its 24 h window: the same key makes a new hold", async () => {
    const store = await storeWithBalance(100);
    const dayLater = later(24 * 3600);
    await store.recordSnapshot(ACCOUNT, snapshotOf(ACCOUNT, 100, dayLater), {
      ...rulesAt(dayLater),
      retentionDays: 30,
    });
    await reserveHold(store, ACCOUNT, reserveOf(30, { idempotencyKey: keyed("k1") }), rulesAt());
    const next = await reserveHold(
      store,
      ACCOUNT,
      reserveOf(30, { idempotencyKey: keyed("k1") }, dayLater),
      rulesAt(dayLater),
    );
    expect(next.kind).toBe("created");
    expect(store.holds.size).toBe(2);
  });

  it("corrects once: an expired hold still in the counter is freed, then the reserve is granted", async () => {
    const store = await storeWithBalance(100);
    const old = reserveOf(80, { ttlSeconds: 60 });
    await reserveHold(store, ACCOUNT, old, rulesAt());
    const at = later(120);
    const result = await reserveHold(store, ACCOUNT, reserveOf(50, {}, at), rulesAt(at));
    expect(result.kind).toBe("created");
    expect(store.isCounted(old.id)).toBe(false);
    expect(store.counters(ACCOUNT)).toMatchObject({ reserved: 50, headroom: 50, openHolds: 1 });
    expect(store.applyCalls).toBe(3); // the old hold, the refused reserve, the granted one
    expect(store.correctionCalls).toBe(2);
  });

  it("corrects committed parts a recorded snapshot settles, and only those", async () => {
    const store = await storeWithBalance(100);
    const state = store.accounts.get(ACCOUNT);
    if (!state) throw new Error("no state");
    // Two committed parts counted: one old enough for the snapshot to show it, one too recent.
    state.reserved = 90;
    state.headroom = 10;
    const settled = later(-SETTLE_SECONDS - 1).toISOString();
    store.captures.set("x#1", capture("x", 1, 60, settled));
    store.captures.set("y#1", capture("y", 1, 30, later(-1).toISOString()));
    const result = await reserveHold(store, ACCOUNT, reserveOf(50), rulesAt());
    expect(result.kind).toBe("created");
    expect(store.captures.get("x#1")?.open).toBe(false);
    expect(store.captures.get("y#1")?.open).toBe(true);
    expect(store.counters(ACCOUNT)).toMatchObject({ reserved: 80, headroom: 20 });
  });

  it("a lost answer makes one hold only: the retried transaction meets its own hold", async () => {
    const store = await storeWithBalance(100);
    store.loseNextAnswer("retried");
    const request = reserveOf(40);
    const result = await reserveHold(store, ACCOUNT, request, rulesAt());
    expect(result).toMatchObject({ kind: "created", view: { id: request.id } });
    expect(store.holds.size).toBe(1);
    expect(store.counters(ACCOUNT)).toMatchObject({ reserved: 40, headroom: 60, openHolds: 1 });
    expect(store.transactions).toHaveLength(1);
  });

  it("a lost answer on a keyed reserve answers the hold it made (as a replay)", async () => {
    const store = await storeWithBalance(100);
    store.loseNextAnswer("retried");
    const request = reserveOf(40, { idempotencyKey: keyed("k") });
    const result = await reserveHold(store, ACCOUNT, request, rulesAt());
    // The retry's refusal names key-unused first, so the first answer the caller sees is `existing`.
    expect(result).toMatchObject({ kind: "existing", view: { id: request.id } });
    expect(store.counters(ACCOUNT)).toMatchObject({ reserved: 40, openHolds: 1 });
  });

  it("a thrown lost answer, retried by the caller with its key, holds once", async () => {
    const store = await storeWithBalance(100);
    store.loseNextAnswer("thrown");
    const first = reserveOf(40, { idempotencyKey: keyed("k") });
    await expect(reserveHold(store, ACCOUNT, first, rulesAt())).rejects.toBeInstanceOf(LostAnswerError);
    const retry = await reserveHold(store, ACCOUNT, reserveOf(40, { idempotencyKey: keyed("k") }), rulesAt());
    expect(retry).toMatchObject({ kind: "existing", view: { id: first.id } });
    expect(store.holds.size).toBe(1);
    expect(store.counters(ACCOUNT)).toMatchObject({ reserved: 40, openHolds: 1 });
  });

  it("a concurrent reserve that takes the headroom first leaves this one insufficient", async () => {
    const store = await storeWithBalance(100);
    store.beforeNextApply(() => reserveHold(store, ACCOUNT, reserveOf(70), rulesAt()));
    const result = await reserveHold(store, ACCOUNT, reserveOf(50), rulesAt());
    expect(result).toEqual({ kind: "insufficient", required: 50, available: 30, shortfall: 20 });
    expect(store.counters(ACCOUNT)).toMatchObject({ reserved: 70, headroom: 30, openHolds: 1 });
  });

  it("refuses a request it cannot store before writing", async () => {
    const store = await storeWithBalance(100);
    await expect(reserveHold(store, ACCOUNT, reserveOf(-1), rulesAt())).rejects.toThrow(/amount/);
    await expect(reserveHold(store, ACCOUNT, reserveOf(1, { ttlSeconds: 0 }), rulesAt())).rejects.toThrow(
      /ttlSeconds/,
    );
    expect(store.applyCalls).toBe(0);
  });
});

function capture(reservationId: string, n: number, amount: number, committedAt: string) {
  return { accountId: ACCOUNT, reservationId, n, amount, committedAt, ttl: 0, open: true };
}
