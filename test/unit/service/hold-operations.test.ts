import { describe, expect, it } from "vitest";
import {
  commitHold,
  extendHold,
  recordOutput,
  releaseHold,
  reserveHold,
} from "#service/reservation-operations";
import { NOW } from "./fakes.ts";
import type { MemoryReservationStore } from "./memory-reservation-store.ts";
import {
  ACCOUNT,
  contextAt,
  keyed,
  later,
  reserveOf,
  rulesAt,
  storeWithBalance,
} from "./reservation-fixtures.ts";

/** commitHold, releaseHold, extendHold and recordOutput against the in-memory store. */

async function heldOf(remaining: number, amount: number, ttlSeconds = 600) {
  const store = await storeWithBalance(remaining);
  const request = reserveOf(amount, { ttlSeconds });
  const made = await reserveHold(store, ACCOUNT, request, rulesAt());
  if (made.kind !== "created") throw new Error(`reserve: ${made.kind}`);
  return { store, id: request.id };
}

function holdIn(store: MemoryReservationStore, id: string) {
  const item = store.holds.get(id);
  if (!item) throw new Error(`no hold ${id}`);
  return item.record;
}

describe("commitHold", () => {
  it("commits a part, keeps the rest held, then a final part ends the hold", async () => {
    const { store, id } = await heldOf(100, 50);
    const part = await commitHold(store, id, { part: 20, final: false }, contextAt());
    expect(part).toMatchObject({
      kind: "ok",
      replayed: false,
      view: { committedAmount: 20, heldAmount: 30 },
    });
    expect(store.counters(ACCOUNT)).toMatchObject({ reserved: 50, headroom: 50, openHolds: 1 });
    const final = await commitHold(store, id, { part: 25, final: true }, contextAt(later(1)));
    expect(final).toMatchObject({
      kind: "ok",
      view: { status: "committed", totalAmount: 45, heldAmount: 0 },
    });
    expect(store.counters(ACCOUNT)).toMatchObject({ reserved: 45, headroom: 55, openHolds: 0 });
    expect(store.isCounted(id)).toBe(false);
    expect(store.capturesOf(id).map((c) => [c.n, c.amount, c.open])).toEqual([
      [1, 20, true],
      [2, 25, true],
    ]);
  });

  it("a final commit naming no part commits the held part; the same commit again is a replay", async () => {
    const { store, id } = await heldOf(100, 50);
    const final = await commitHold(store, id, { final: true }, contextAt());
    expect(final).toMatchObject({ kind: "ok", view: { totalAmount: 50 } });
    const again = await commitHold(store, id, { final: true }, contextAt());
    expect(again).toMatchObject({ kind: "ok", replayed: true });
    const other = await commitHold(store, id, { part: 10, final: true }, contextAt());
    expect(other.kind).toBe("conflict");
    expect(store.counters(ACCOUNT)).toMatchObject({ reserved: 50, openHolds: 0 });
    expect(store.capturesOf(id)).toHaveLength(1);
  });

  it("a commit of totalAmount records what the parts before did not", async () => {
    const { store, id } = await heldOf(100, 50);
    await commitHold(store, id, { part: 20, final: false }, contextAt());
    const total = await commitHold(store, id, { totalAmount: 35, final: true }, contextAt());
    expect(total).toMatchObject({ kind: "ok", view: { totalAmount: 35 } });
    expect(store.capturesOf(id).map((c) => c.amount)).toEqual([20, 15]);
    expect(store.counters(ACCOUNT)).toMatchObject({ reserved: 35, headroom: 65 });
  });

  it("refuses a commit past the held part plus what is available, writing nothing", async () => {
    const { store, id } = await heldOf(60, 50);
    const before = store.counters(ACCOUNT);
    const result = await commitHold(store, id, { part: 70, final: true }, contextAt());
    expect(result).toEqual({
      kind: "exceeds-available",
      held: 50,
      available: 10,
      asked: 70,
      allowed: 60,
      unit: "credits",
    });
    expect(store.counters(ACCOUNT)).toEqual(before);
    expect(holdIn(store, id).status).toBe("held");
    expect(store.capturesOf(id)).toEqual([]);
  });

  it("records a commit past the held part that available covers, taking the excess from headroom", async () => {
    const { store, id } = await heldOf(60, 50);
    const result = await commitHold(store, id, { part: 58, final: true }, contextAt());
    expect(result).toMatchObject({ kind: "ok", view: { totalAmount: 58 } });
    expect(store.counters(ACCOUNT)).toMatchObject({ reserved: 58, headroom: 2, openHolds: 0 });
  });

  it("records a forced commit past the bound with who forced it and the amounts", async () => {
    const { store, id } = await heldOf(60, 50);
    const result = await commitHold(
      store,
      id,
      { part: 70, final: true, beyondAvailable: { forcedBy: "arn:ops" } },
      contextAt(),
    );
    const forced = { by: "arn:ops", at: NOW.toISOString(), held: 50, available: 10, asked: 70, allowed: 60 };
    expect(result).toMatchObject({ kind: "ok", replayed: false, forced, view: { forced, totalAmount: 70 } });
    expect(store.counters(ACCOUNT)).toMatchObject({ reserved: 70, headroom: -10, openHolds: 0 });
    expect(holdIn(store, id).forced).toEqual(forced);
    // The reserve; the first attempt refused, the counter corrected (nothing), refused again; the forced one.
    expect(store.applyCalls).toBe(4);
  });

  it("records a charge HeyGen already made as is, past the bound, with no forced record", async () => {
    const { store, id } = await heldOf(60, 50);
    const result = await commitHold(
      store,
      id,
      { part: 90, final: true, beyondAvailable: "charged" },
      contextAt(),
    );
    expect(result).toMatchObject({ kind: "ok" });
    expect(result).not.toHaveProperty("forced");
    expect(holdIn(store, id).forced).toBeUndefined();
    expect(store.counters(ACCOUNT)).toMatchObject({ reserved: 90, headroom: -30 });
  });

  it("answers not_found for an unknown or malformed id, conflict for an expired hold", async () => {
    const { store, id } = await heldOf(100, 50, 60);
    expect(await commitHold(store, "rsv_nope", { final: true }, contextAt())).toEqual({ kind: "not_found" });
    const expired = await commitHold(store, id, { final: true }, contextAt(later(61)));
    expect(expired).toMatchObject({ kind: "conflict", view: { status: "expired" } });
    expect(store.counters(ACCOUNT)).toMatchObject({ reserved: 50, openHolds: 1 });
  });

  it("plans again on a hold a concurrent commit changed: both parts count, numbered apart", async () => {
    const { store, id } = await heldOf(100, 50);
    store.beforeNextApply(() => commitHold(store, id, { part: 10, final: false }, contextAt()));
    const result = await commitHold(store, id, { part: 15, final: false }, contextAt());
    expect(result).toMatchObject({ kind: "ok", view: { committedAmount: 25, heldAmount: 25 } });
    expect(store.capturesOf(id).map((c) => [c.n, c.amount])).toEqual([
      [1, 10],
      [2, 15],
    ]);
    expect(store.counters(ACCOUNT)).toMatchObject({ reserved: 50, openHolds: 1 });
    expect(store.applyCalls).toBe(4); // reserve, concurrent commit, refused attempt, replanned one
  });

  it("a commit planned on a hold a concurrent release ended answers conflict", async () => {
    const { store, id } = await heldOf(100, 50);
    store.beforeNextApply(() => releaseHold(store, id, contextAt()));
    const result = await commitHold(store, id, { part: 15, final: true }, contextAt());
    expect(result).toMatchObject({ kind: "conflict", view: { status: "released" } });
    expect(store.counters(ACCOUNT)).toMatchObject({ reserved: 0, openHolds: 0 });
  });

  it("a lost answer of a final commit is answered as its replay, counted once", async () => {
    const { store, id } = await heldOf(100, 50);
    store.loseNextAnswer("retried");
    const result = await commitHold(store, id, { part: 40, final: true }, contextAt());
    expect(result).toMatchObject({ kind: "ok", view: { totalAmount: 40 } });
    expect(store.counters(ACCOUNT)).toMatchObject({ reserved: 40, openHolds: 0 });
    expect(store.capturesOf(id)).toHaveLength(1);
  });

  it("a lost answer of a keyed partial commit is answered by its key, counted once", async () => {
    const { store, id } = await heldOf(100, 50);
    store.loseNextAnswer("retried");
    const context = contextAt(NOW, { idempotencyKey: keyed("c1") });
    const result = await commitHold(store, id, { part: 20, final: false }, context);
    expect(result).toMatchObject({ kind: "ok", view: { committedAmount: 20 } });
    expect(store.capturesOf(id)).toHaveLength(1);
    expect(holdIn(store, id).committedAmount).toBe(20);
  });

  it("a keyed commit sent again replays its answer; with another body it is key-reused", async () => {
    const { store, id } = await heldOf(100, 50);
    const context = contextAt(NOW, { idempotencyKey: keyed("c1", "a") });
    await commitHold(store, id, { part: 20, final: false }, context);
    const again = await commitHold(store, id, { part: 20, final: false }, context);
    expect(again).toMatchObject({ kind: "ok", replayed: true, view: { committedAmount: 20 } });
    const other = contextAt(NOW, { idempotencyKey: keyed("c1", "b") });
    expect(await commitHold(store, id, { part: 5, final: false }, other)).toEqual({ kind: "key-reused" });
    expect(holdIn(store, id).committedAmount).toBe(20);
  });
});

describe("releaseHold", () => {
  it("ends the hold and gives back what it did not commit; again is a replay", async () => {
    const { store, id } = await heldOf(100, 50);
    await commitHold(store, id, { part: 20, final: false }, contextAt());
    const released = await releaseHold(store, id, contextAt(), "job_failed");
    expect(released).toMatchObject({ kind: "ok", view: { status: "released", releaseReason: "job_failed" } });
    expect(store.counters(ACCOUNT)).toMatchObject({ reserved: 20, headroom: 80, openHolds: 0 });
    expect(store.isCounted(id)).toBe(false);
    expect(await releaseHold(store, id, contextAt())).toMatchObject({ kind: "ok", replayed: true });
    expect(store.counters(ACCOUNT)).toMatchObject({ reserved: 20, openHolds: 0 });
  });

  it("a release of a committed hold is a conflict", async () => {
    const { store, id } = await heldOf(100, 50);
    await commitHold(store, id, { final: true }, contextAt());
    expect(await releaseHold(store, id, contextAt())).toMatchObject({ kind: "conflict" });
    expect(store.counters(ACCOUNT)).toMatchObject({ reserved: 50 });
  });
});

describe("extendHold", () => {
  it("raises the amount from headroom", async () => {
    const { store, id } = await heldOf(100, 50);
    const result = await extendHold(store, id, { amount: 80 }, contextAt());
    expect(result).toMatchObject({ kind: "ok", view: { amount: 80, heldAmount: 80 } });
    expect(store.counters(ACCOUNT)).toMatchObject({ reserved: 80, headroom: 20, openHolds: 1 });
  });

  it("answers insufficient, changing nothing, when headroom does not cover the raise", async () => {
    const { store, id } = await heldOf(100, 50);
    const result = await extendHold(store, id, { amount: 120 }, contextAt());
    expect(result).toEqual({
      kind: "insufficient",
      required: 70,
      available: 50,
      shortfall: 20,
      unit: "credits",
    });
    expect(holdIn(store, id).amount).toBe(50);
    expect(store.counters(ACCOUNT)).toMatchObject({ reserved: 50, headroom: 50 });
  });

  it("moves the expiry: the hold counts past its first expiry and no correction frees it", async () => {
    const { store, id } = await heldOf(100, 50, 60);
    const before = holdIn(store, id).ttl;
    await extendHold(store, id, { ttlSeconds: 3600 }, contextAt());
    expect(holdIn(store, id).ttl).toBe(before + 3540);
    expect(await store.correctCounters(ACCOUNT, later(120))).toBe(0);
    expect(store.counters(ACCOUNT)).toMatchObject({ reserved: 50, openHolds: 1 });
    expect(await store.correctCounters(ACCOUNT, later(3600))).toBe(1);
    expect(store.counters(ACCOUNT)).toMatchObject({ reserved: 0, headroom: 100, openHolds: 0 });
  });
});

describe("recordOutput", () => {
  it("commits each success's share and ends the hold with the last output", async () => {
    const { store, id } = await heldOf(100, 60);
    const a = await recordOutput(
      store,
      id,
      { outputId: "a", outputs: 2, outcome: { outcome: "success" } },
      contextAt(),
    );
    expect(a).toMatchObject({ kind: "ok", complete: false, view: { committedAmount: 30, heldAmount: 30 } });
    const b = await recordOutput(
      store,
      id,
      { outputId: "b", outputs: 2, outcome: { outcome: "fail", reason: "bad" } },
      contextAt(),
    );
    expect(b).toMatchObject({ kind: "ok", complete: true, view: { status: "committed", totalAmount: 30 } });
    expect(store.counters(ACCOUNT)).toMatchObject({ reserved: 30, headroom: 70, openHolds: 0 });
    const again = await recordOutput(
      store,
      id,
      { outputId: "a", outputs: 2, outcome: { outcome: "success" } },
      contextAt(),
    );
    expect(again).toMatchObject({ kind: "ok", replayed: true });
    expect(store.capturesOf(id).map((c) => c.amount)).toEqual([30]);
  });
});

describe("lost answers that are safe", () => {
  it("a release whose answer is lost and that the caller retries is a replay, counted once", async () => {
    const { store, id } = await heldOf(100, 50);
    store.loseNextAnswer("thrown");
    await expect(releaseHold(store, id, contextAt())).rejects.toThrow(/answer never came back/);
    expect(await releaseHold(store, id, contextAt())).toMatchObject({ kind: "ok", replayed: true });
    expect(store.counters(ACCOUNT)).toMatchObject({ reserved: 0, headroom: 100, openHolds: 0 });
  });

  it("an output whose answer is lost is recorded once (the retry finds it recorded)", async () => {
    const { store, id } = await heldOf(100, 60);
    store.loseNextAnswer("retried");
    const report = { outputId: "a", outputs: 3, outcome: { outcome: "success" as const } };
    const result = await recordOutput(store, id, report, contextAt());
    expect(result).toMatchObject({ kind: "ok", replayed: true, complete: false });
    expect(store.capturesOf(id).map((c) => c.amount)).toEqual([20]);
    expect(store.counters(ACCOUNT)).toMatchObject({ reserved: 60, openHolds: 1 });
  });

  it("a partial commit by totalAmount whose answer is lost commits nothing more on the retry", async () => {
    const { store, id } = await heldOf(100, 50);
    store.loseNextAnswer("retried");
    await commitHold(store, id, { totalAmount: 20, final: false }, contextAt());
    expect(holdIn(store, id).committedAmount).toBe(20);
    expect(store.capturesOf(id).map((c) => c.amount)).toEqual([20]);
  });
});

describe("a lost answer the SDK retries", () => {
  // Judged afresh, the resend of an unkeyed partial commit would be refused by hold-unchanged (its own write
  // bumped the version) and the loop would commit the part again. It is not judged afresh: the SDK fills in
  // TransactWriteItems' ClientRequestToken once per command and resends the same request, and DynamoDB answers
  // a token it has applied as applied. A caller that resends the HTTP request itself needs an Idempotency-Key.
  it("an unkeyed partial commit whose answer is lost is counted once", async () => {
    const { store, id } = await heldOf(100, 50);
    store.loseNextAnswer("token-replayed");
    const result = await commitHold(store, id, { part: 20, final: false }, contextAt());
    expect(result).toMatchObject({ kind: "ok", view: { committedAmount: 20, heldAmount: 30 } });
    expect(store.capturesOf(id).map((c) => c.amount)).toEqual([20]);
  });
});
