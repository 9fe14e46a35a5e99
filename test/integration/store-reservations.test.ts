import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import { reservationIdFor } from "#core/reservation-id";
import { computeBalanceView } from "#core/reservations";
import { HoldCapacityError, InvalidReservationRequestError, type ReserveResult } from "#service/store-port";
import { keys } from "#store/table";
import { at, recordPoll, SETTLE_SECONDS, storeOnDynamoDbLocal, T0 } from "#test/support/store-fixtures";

const local = storeOnDynamoDbLocal();
let accounts = 0;

const rules = (now: Date, reserveFloor = 0) => ({ now, reserveFloor, settleSeconds: SETTLE_SECONDS });

/** A fresh account whose available balance is `available` at T0. */
async function account(available: number, reserveFloor = 0): Promise<string> {
  const accountId = `acct-${++accounts}`;
  await recordPoll(local.store, accountId, available + reserveFloor, T0, reserveFloor);
  return accountId;
}

function reserve(accountId: string, amount: number, now = T0, options: { key?: string; ttl?: number } = {}) {
  return local.store.reserve(
    accountId,
    {
      id: reservationIdFor(accountId, options.key),
      amount,
      ttlSeconds: options.ttl ?? 3600,
      ...(options.key === undefined ? {} : { idempotencyKey: options.key }),
    },
    rules(now),
  );
}

function heldId(result: ReserveResult): string {
  if (result.kind !== "created" && result.kind !== "existing")
    throw new Error(`expected a hold, got ${result.kind}`);
  return result.hold.id;
}

async function rawStateItem(accountId: string) {
  const { Item } = await local.dynamo.doc.send(
    new GetCommand({ TableName: local.tableName, Key: { pk: keys.account(accountId), sk: keys.state() } }),
  );
  return Item;
}

async function availableAt(accountId: string, now: Date, reserveFloor = 0) {
  const state = await local.store.getAccountState(accountId);
  if (state === undefined) throw new Error(`no state for ${accountId}`);
  return { view: computeBalanceView(state, rules(now, reserveFloor)), headroom: state.headroom };
}

describe("reserve under concurrency", () => {
  it("200 concurrent reservations grant exactly floor(available / amount), ten times over", async () => {
    for (let round = 0; round < 10; round++) {
      const available = 500 + 97 * round;
      const amount = 3.5 + 0.75 * round;
      const floor = 10;
      const accountId = await account(available, floor);
      const results = await Promise.all(
        Array.from({ length: 200 }, () =>
          local.store.reserve(
            accountId,
            { id: reservationIdFor(accountId), amount, ttlSeconds: 600 },
            rules(T0, floor),
          ),
        ),
      );
      const expected = Math.floor(available / amount);
      expect(results.filter((r) => r.kind === "created")).toHaveLength(expected);
      const denied = results.filter((r) => r.kind === "insufficient");
      expect(denied).toHaveLength(200 - expected);
      for (const d of denied) expect(d.shortfall).toBeGreaterThan(0);

      const { view, headroom } = await availableAt(accountId, T0, floor);
      expect(view.activeHolds).toHaveLength(expected);
      expect(view.available).toBeCloseTo(available - expected * amount, 9);
      expect(view.available).toBeGreaterThanOrEqual(0);
      expect(headroom).toBeLessThanOrEqual((view.available ?? 0) + 1e-9);
    }
  }, 180_000);

  it("a repeated Idempotency-Key, also 50 at once, makes one hold", async () => {
    const accountId = await account(100);
    const first = await reserve(accountId, 10, T0, { key: "job-1" });
    const again = await reserve(accountId, 10, T0, { key: "job-1" });
    expect(first.kind).toBe("created");
    expect(again).toMatchObject({ kind: "existing", hold: { id: heldId(first) } });

    const burst = await Promise.all(
      Array.from({ length: 50 }, () => reserve(accountId, 10, T0, { key: "job-2" })),
    );
    expect(burst.filter((r) => r.kind === "created")).toHaveLength(1);
    expect(burst.filter((r) => r.kind === "existing")).toHaveLength(49);
    expect(new Set(burst.map(heldId)).size).toBe(1);

    const { view, headroom } = await availableAt(accountId, T0);
    expect(view.activeHolds).toHaveLength(2);
    expect(view.available).toBe(80);
    expect(headroom).toBe(80);
  });

  it("answers no-balance for an account with no recorded balance", async () => {
    expect(await reserve("never-polled", 1)).toEqual({ kind: "no-balance" });
  });
});

describe("commit and release", () => {
  it("a commit or release of a reservation that is not held is refused and changes nothing", async () => {
    const accountId = await account(100);
    const committed = heldId(await reserve(accountId, 10));
    const released = heldId(await reserve(accountId, 10));
    const expired = heldId(await reserve(accountId, 10, T0, { ttl: 60 }));
    expect((await local.store.commit(committed, 9, at(T0, 1))).kind).toBe("ok");
    expect((await local.store.release(released, at(T0, 1))).kind).toBe("ok");
    const later = at(T0, 61);

    const before = await rawStateItem(accountId);
    const refusals = [
      [await local.store.commit(committed, 5, later), "committed"],
      [await local.store.release(committed, later), "committed"],
      [await local.store.commit(released, undefined, later), "released"],
      [await local.store.release(released, later), "released"],
      [await local.store.commit(expired, undefined, later), "expired"],
      [await local.store.release(expired, later), "expired"],
    ] as const;
    for (const [result, status] of refusals) expect(result).toMatchObject({ kind: "not_held", status });
    expect(await rawStateItem(accountId)).toEqual(before);
  });

  it("an unknown or malformed reservation id is not_found", async () => {
    const accountId = await account(10);
    expect(await local.store.commit(reservationIdFor(accountId), undefined, T0)).toEqual({
      kind: "not_found",
    });
    expect(await local.store.release(reservationIdFor("nobody"), T0)).toEqual({ kind: "not_found" });
    expect(await local.store.release("rsv_nonsense", T0)).toEqual({ kind: "not_found" });
    expect(await local.store.getReservation("rsv_nonsense", T0)).toBeUndefined();
  });

  it("commit with an actual above the hold lowers headroom by the excess", async () => {
    const accountId = await account(100);
    const id = heldId(await reserve(accountId, 30));
    const result = await local.store.commit(id, 45, at(T0, 5));
    expect(result).toMatchObject({ kind: "ok", hold: { status: "committed", actualAmount: 45 } });
    const { view, headroom } = await availableAt(accountId, at(T0, 5));
    expect(view.available).toBe(55);
    expect(headroom).toBe(55);
  });

  it("commit with a smaller actual frees the difference for the next reserve", async () => {
    const accountId = await account(100);
    const id = heldId(await reserve(accountId, 30));
    await local.store.commit(id, 20, at(T0, 5));
    const { view, headroom } = await availableAt(accountId, at(T0, 5));
    expect(view.available).toBe(80);
    expect(headroom).toBe(70);
    expect((await reserve(accountId, 80, at(T0, 6))).kind).toBe("created");
  });
});

describe("the conservative counter", () => {
  it("an expired hold no longer reduces available, and its credit can be held again", async () => {
    const accountId = await account(50);
    await reserve(accountId, 50, T0, { ttl: 60 });
    expect((await availableAt(accountId, at(T0, 59))).view.available).toBe(0);
    expect(await reserve(accountId, 1, at(T0, 59))).toMatchObject({ kind: "insufficient", available: 0 });
    expect((await availableAt(accountId, at(T0, 60))).view.available).toBe(50);
    expect((await reserve(accountId, 50, at(T0, 60))).kind).toBe("created");
  });

  it("a reserve denied by a stale counter after releases reconciles it and then grants", async () => {
    const accountId = await account(100);
    const a = heldId(await reserve(accountId, 60));
    await reserve(accountId, 40);
    await local.store.release(a, at(T0, 1));
    const stale = await availableAt(accountId, at(T0, 1));
    expect(stale.headroom).toBe(0);
    expect(stale.view.available).toBe(60);

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
      archived: false,
      view: { id, accountId, amount: 5, unit: "credits", status: "held" },
    });
    expect((await local.store.getReservation(id, at(T0, 61)))?.view.status).toBe("expired");
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
    ["id", { idempotencyKey: "a-key" }],
  ])("name the field (%s)", async (field, change) => {
    const accountId = "acct-validation";
    const request = { id: reservationIdFor(accountId), amount: 1, ttlSeconds: 60, ...change };
    const error = await local.store.reserve(accountId, request, rules(T0)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidReservationRequestError);
    expect(error).toMatchObject({ field });
  });

  it("holds 0 for a job that costs nothing (test mode), which changes no balance", async () => {
    const accountId = await account(10);
    const result = await local.store.reserve(
      accountId,
      { id: reservationIdFor(accountId), amount: 0, ttlSeconds: 60 },
      rules(T0),
    );
    expect(result.kind).toBe("created");
    expect((await availableAt(accountId, T0)).view.available).toBe(10);
  });

  it("name actualAmount on commit", async () => {
    await expect(local.store.commit(reservationIdFor("x"), -1, T0)).rejects.toMatchObject({
      field: "actualAmount",
    });
  });
});

describe("a reserve guarded by the balance it was priced against", () => {
  const guarded = (accountId: string, guard: { observedAtOrAfter: string; unit: "usd" | "credits" }) =>
    local.store.reserve(
      accountId,
      { id: reservationIdFor(accountId), amount: 1, ttlSeconds: 60 },
      rules(T0),
      guard,
    );

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

describe("an account whose state item is full", () => {
  it("refuses another hold with HoldCapacityError and writes nothing", async () => {
    const accountId = await account(1_000_000);
    // Each hold carries a ~90 KB estimate, so the 400 KB item limit is reached within five holds.
    const bulky = { note: "x".repeat(90_000) };
    const attempt = () =>
      local.store.reserve(
        accountId,
        { id: reservationIdFor(accountId), amount: 1, ttlSeconds: 60, estimate: bulky },
        rules(T0),
      );
    let refused: unknown;
    let made = 0;
    for (let i = 0; i < 6 && refused === undefined; i++) {
      try {
        await attempt();
        made++;
      } catch (error) {
        refused = error;
      }
    }
    expect(refused).toBeInstanceOf(HoldCapacityError);
    const state = await local.store.getAccountState(accountId);
    expect(Object.keys(state?.holds ?? {})).toHaveLength(made);
  });
});
