import { describe, expect, it } from "vitest";
import { parseConfig } from "#config/config";
import { reservationIdFor } from "#core/reservation-id";
import { BalanceReader } from "#service/balance-reader";
import {
  accountOfReservation,
  commitReservation,
  extendReservation,
  recordReservationOutput,
  releaseReservation,
} from "#service/hold-changes";
import { type HoldCreditRequest, reserveCredit } from "#service/reserve-credit";
import { FakeBalanceSource, NOW, onlyAccount, snapshotOf } from "./fakes.ts";
import { MemoryAccountStore, servicesOf } from "./memory-account-store.ts";
import { keyed } from "./reservation-fixtures.ts";

const SPENDER = { principal: "arn:aws:iam::123456789012:user/pipeline" };

/** The hold-change use cases through Services: the account's rules (its reserve floor) reach the planners. */

const hold = (amount: number): HoldCreditRequest => ({ amount });

const config = parseConfig({
  accounts: [{ id: "acme", thresholds: { warning: 50, critical: 10 }, reserveFloor: 10 }],
});
const account = onlyAccount(config);

async function heldOf(amount: number, remaining = 100) {
  const store = new MemoryAccountStore();
  const services = servicesOf(config, store, new FakeBalanceSource(remaining));
  await store.recordSnapshot("acme", snapshotOf("acme", remaining), {
    now: NOW,
    reserveFloor: account.reserveFloor,
    settleSeconds: config.reservations.settleSeconds,
    retentionDays: config.retentionDays,
  });
  const answer = await reserveCredit(
    services,
    new BalanceReader(services),
    account,
    hold(amount),
    undefined,
    SPENDER,
  );
  return { store, services, id: answer.reservation.id };
}

describe("hold-change use cases", () => {
  it("finds the configured account of a reservation id, and none for another account's", () => {
    const services = servicesOf(config, new MemoryAccountStore(), new FakeBalanceSource(0));
    expect(accountOfReservation(services, reservationIdFor("acme", NOW))?.id).toBe("acme");
    expect(accountOfReservation(services, reservationIdFor("other", NOW))).toBeUndefined();
    expect(accountOfReservation(services, "nonsense")).toBeUndefined();
  });

  it("bounds a commit past the hold by what the account's floor leaves available", async () => {
    const { store, services, id } = await heldOf(50);
    const result = await commitReservation(services, account, id, { part: 95, final: true });
    // 100 − floor 10 − 50 held = 40 available: 50 + 40 allowed.
    expect(result).toMatchObject({
      kind: "exceeds-available",
      held: 50,
      available: 40,
      allowed: 90,
      asked: 95,
    });
    expect(store.counters("acme")).toMatchObject({ reserved: 50, headroom: 40 });
    const within = await commitReservation(services, account, id, { part: 85, final: true });
    expect(within).toMatchObject({ kind: "ok", view: { totalAmount: 85 } });
    expect(store.counters("acme")).toMatchObject({ reserved: 85, headroom: 5, openHolds: 0 });
  });

  it("extends within the floor and refuses past it", async () => {
    const { store, services, id } = await heldOf(50);
    expect(await extendReservation(services, account, id, { amount: 95 })).toMatchObject({
      kind: "insufficient",
      required: 45,
      available: 40,
      shortfall: 5,
    });
    expect(await extendReservation(services, account, id, { amount: 90 })).toMatchObject({ kind: "ok" });
    expect(store.counters("acme")).toMatchObject({ reserved: 90, headroom: 0 });
  });

  it("releases with its reason, and a keyed release sent again replays", async () => {
    const { store, services, id } = await heldOf(50);
    const first = await releaseReservation(services, account, id, keyed("r"), "cancelled");
    expect(first).toMatchObject({
      kind: "ok",
      replayed: false,
      view: { status: "released", releaseReason: "cancelled" },
    });
    const again = await releaseReservation(services, account, id, keyed("r"), "cancelled");
    expect(again).toMatchObject({ kind: "ok", replayed: true });
    expect(store.counters("acme")).toMatchObject({ reserved: 0, headroom: 90, openHolds: 0 });
  });

  it("records outputs with their commits; every output failing releases the hold whole", async () => {
    const { store, services, id } = await heldOf(60);
    const fail = { outcome: "fail" as const, insufficientCredit: false, reason: "bad" };
    const a = await recordReservationOutput(services, account, id, {
      outputId: "a",
      outputs: 2,
      outcome: fail,
    });
    expect(a).toMatchObject({ kind: "ok", complete: false });
    expect(store.counters("acme")).toMatchObject({ reserved: 60 });
    const b = await recordReservationOutput(services, account, id, {
      outputId: "b",
      outputs: 2,
      outcome: fail,
    });
    expect(b).toMatchObject({ kind: "ok", complete: true, view: { status: "released" } });
    expect(store.counters("acme")).toMatchObject({ reserved: 0, openHolds: 0 });
    expect(store.capturesOf(id)).toEqual([]);
  });
});
