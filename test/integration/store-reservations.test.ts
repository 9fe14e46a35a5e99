import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import { reservationIdFor } from "#core/reservation-id";
import { InvalidReservationRequestError } from "#service/store-errors";
import { keys } from "#store/table";
import {
  at,
  heldId,
  reservationHelpers,
  reserveRequest,
  SETTLE_SECONDS,
  settle,
  storeOnDynamoDbLocal,
  T0,
} from "#test/support/store-fixtures";

const local = storeOnDynamoDbLocal();
const { account, reserve, availableAt } = reservationHelpers(local);
const rules = (now: Date, reserveFloor = 0) => ({ now, reserveFloor, settleSeconds: SETTLE_SECONDS });

async function rawStateItem(accountId: string) {
  const { Item } = await local.dynamo.doc.send(
    new GetCommand({ TableName: local.tableName, Key: { pk: keys.account(accountId), sk: keys.state() } }),
  );
  return Item;
}

describe("reserve under concurrency", () => {
  it("a repeated Idempotency-Key, also 50 at once, makes one hold", async () => {
    const accountId = await account(100);
    const first = await reserve(accountId, 10, T0, { key: "job-1" });
    const again = await reserve(accountId, 10, T0, { key: "job-1" });
    expect(first.kind).toBe("created");
    expect(again).toMatchObject({ kind: "existing", view: { id: heldId(first) } });

    const burst = await Promise.all(
      Array.from({ length: 50 }, () => reserve(accountId, 10, T0, { key: "job-2" })),
    );
    expect(burst.filter((r) => r.kind === "created")).toHaveLength(1);
    expect(burst.filter((r) => r.kind === "existing")).toHaveLength(49);
    expect(new Set(burst.map(heldId)).size).toBe(1);

    const { view, headroom, openHolds } = await availableAt(accountId, T0);
    expect(openHolds).toBe(2);
    expect(view.available).toBe(80);
    expect(headroom).toBe(80);
  });

  it("a reserve sent again after its answer was lost (an SDK retry) answers the hold it made, counted once", async () => {
    const accountId = await account(10);
    const request = reserveRequest(accountId, 4);
    const first = await local.store.reserve(accountId, request, rules(T0));
    const retried = await local.store.reserve(accountId, request, rules(T0));
    expect(retried).toEqual(first);
    const { view, openHolds } = await availableAt(accountId, T0);
    expect(view.available).toBe(6);
    expect(openHolds).toBe(1);
  });

  it("answers no-balance for an account with no recorded balance", async () => {
    expect(await reserve("never-polled", 1)).toEqual({ kind: "no-balance" });
  });
});

describe("commit and release", () => {
  it("an unknown or malformed reservation id is not_found", async () => {
    const accountId = await account(1);
    expect(await local.store.commit(reservationIdFor(accountId), { final: true }, settle(T0))).toEqual({
      kind: "not_found",
    });
    expect(await local.store.release("rsv_bad", settle(T0))).toEqual({ kind: "not_found" });
  });

  it("commit with an actual above the hold takes the excess from headroom in the same write", async () => {
    const accountId = await account(100);
    const id = heldId(await reserve(accountId, 30));
    const result = await local.store.commit(id, { part: 45, final: true }, settle(at(T0, 5)));
    expect(result).toMatchObject({ kind: "ok", view: { status: "committed", actualAmount: 45 } });
    const { view, headroom } = await availableAt(accountId, at(T0, 5));
    expect(view.available).toBe(55);
    expect(headroom).toBe(55);
  });

  it("commit with a smaller actual frees the difference for the next reserve", async () => {
    const accountId = await account(100);
    const id = heldId(await reserve(accountId, 100));
    await local.store.commit(id, { part: 20, final: true }, settle(at(T0, 5)));
    expect((await reserve(accountId, 80, at(T0, 6))).kind).toBe("created");
    expect(await reserve(accountId, 0.01, at(T0, 7))).toMatchObject({ kind: "insufficient" });
  });
});

describe("the conservative counter", () => {
  it("an expired hold stops counting at the first denial after its expiry, with no sweeper", async () => {
    const accountId = await account(50);
    await reserve(accountId, 50, T0, { ttl: 60 });
    expect((await availableAt(accountId, at(T0, 59))).view.available).toBe(0);
    expect(await reserve(accountId, 1, at(T0, 59))).toMatchObject({ kind: "insufficient", available: 0 });
    // The counter still holds the expired hold (conservative) until a denial or a poll corrects it.
    expect((await availableAt(accountId, at(T0, 60))).view.available).toBe(0);
    expect((await reserve(accountId, 50, at(T0, 60))).kind).toBe("created");
    expect((await availableAt(accountId, at(T0, 60))).view.available).toBe(0);
    expect(await local.store.correctCounters(accountId, at(T0, 60))).toBe(0);
  });

  it("a release gives its hold back at once; the counter stays exact", async () => {
    const accountId = await account(100);
    const a = heldId(await reserve(accountId, 60));
    await reserve(accountId, 40);
    await local.store.release(a, settle(at(T0, 1)));
    const now = await availableAt(accountId, at(T0, 1));
    expect(now.headroom).toBe(60);
    expect(now.view.available).toBe(60);

    expect((await reserve(accountId, 60, at(T0, 2))).kind).toBe("created");
    const after = await availableAt(accountId, at(T0, 2));
    expect(after.view.available).toBe(0);
    expect(after.headroom).toBe(0);
    expect(await reserve(accountId, 0.01, at(T0, 3))).toMatchObject({
      kind: "insufficient",
      shortfall: 0.01,
    });
  });
});

describe("reading reservations and states", () => {
  it("getReservation shows a hold with its unit and current status", async () => {
    const accountId = await account(20);
    const id = heldId(await reserve(accountId, 5, T0, { ttl: 60 }));
    expect(await local.store.getReservation(id, at(T0, 1))).toMatchObject({
      id,
      accountId,
      amount: 5,
      unit: "credits",
      status: "held",
    });
    expect((await local.store.getReservation(id, at(T0, 61)))?.status).toBe("expired");
    expect(await local.store.getReservation(reservationIdFor(accountId), T0)).toBeUndefined();
  });

  it("listAccountStates returns the states that exist, keyed by account", async () => {
    const [a, b] = [await account(1), await account(2)];
    const states = await local.store.listAccountStates([a, "missing-account", b]);
    expect([...states.keys()].sort()).toEqual([a, b].sort());
    expect(states.get(b)?.latest?.remaining).toBe(2);
  });
});

describe("bad reservation requests", () => {
  it.each([
    ["amount", { amount: 5e-324 }],
    ["amount", { amount: -1 }],
    ["amount", { amount: Number.NaN }],
    ["ttlSeconds", { ttlSeconds: 0 }],
    ["ttlSeconds", { ttlSeconds: 1.5 }],
    ["id", { id: reservationIdFor("someone-else") }],
  ])("name the field (%s)", async (field, change) => {
    const accountId = "acct-validation";
    const error = await local.store
      .reserve(accountId, { ...reserveRequest(accountId, 1), ...change }, rules(T0))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidReservationRequestError);
    expect(error).toMatchObject({ field });
  });

  it("holds 0 for a job that costs nothing (test mode), which changes no balance", async () => {
    const accountId = await account(10);
    const result = await reserve(accountId, 0);
    expect(result.kind).toBe("created");
    expect((await availableAt(accountId, T0)).view.available).toBe(10);
  });

  it("name actualAmount on commit", async () => {
    await expect(
      local.store.commit(reservationIdFor("x"), { part: -1, final: true }, settle(T0)),
    ).rejects.toMatchObject({
      field: "actualAmount",
    });
  });
});

describe("a reserve guarded by the balance it was priced against", () => {
  const guarded = (accountId: string, guard: { observedAtOrAfter: string; unit: "usd" | "credits" }) =>
    local.store.reserve(accountId, reserveRequest(accountId, 1, T0, { ttl: 60 }), rules(T0), guard);

  it("holds in one write while the recorded balance is as fresh and in the unit the caller priced with", async () => {
    const accountId = await account(10);
    const before = await rawStateItem(accountId);
    const result = await guarded(accountId, {
      observedAtOrAfter: at(T0, -60).toISOString(),
      unit: "credits",
    });
    expect(result.kind).toBe("created");
    expect((await rawStateItem(accountId))?.version).toBe(Number(before?.version) + 1);
  });

  it.each([
    [
      "older than the caller allows",
      { observedAtOrAfter: at(T0, 1).toISOString(), unit: "credits" as const },
    ],
    ["in another unit", { observedAtOrAfter: at(T0, -60).toISOString(), unit: "usd" as const }],
  ])("answers stale and holds nothing when the balance is %s", async (_label, guard) => {
    const accountId = await account(10);
    const before = await rawStateItem(accountId);
    expect((await guarded(accountId, guard)).kind).toBe("stale");
    expect(await rawStateItem(accountId)).toEqual(before);
  });
});
