import { describe, expect, it } from "vitest";
import { parseConfig } from "#config/config";
import { EstimateRequest } from "#core/job-spec";
import { BalanceReader } from "#service/balance-reader";
import { BalanceUnknownError, IdempotencyKeyReusedError, InsufficientBalanceError } from "#service/errors";
import { type HoldCreditRequest, reserveCredit } from "#service/reserve-credit";
import type { BalanceSource } from "#service/services";
import { FakeBalanceSource, NOW, onlyAccount, snapshotOf } from "./fakes.ts";
import { MemoryAccountStore, servicesOf } from "./memory-account-store.ts";
import { keyed, later } from "./reservation-fixtures.ts";

const SPENDER = { principal: "arn:aws:iam::123456789012:user/pipeline" };

/** reserveCredit through Services over the in-memory store: the reader, the guard and the reserve loop. */

/**
 * The body as the API hands it over. (reserveCredit's parameter type, Omit of a union, keeps only the keys
 * common to both forms, so a literal `{ amount }` does not type-check against it: the body is typed first.)
 */
const hold = (amount: number): HoldCreditRequest => ({ amount });
const specOf = (input: unknown): HoldCreditRequest => EstimateRequest.parse(input);

const config = parseConfig({
  accounts: [{ id: "acme", thresholds: { warning: 50, critical: 10 }, reserveFloor: 5 }],
  checks: { maxBalanceAgeSeconds: 300 },
});
const account = onlyAccount(config);

/** HeyGen answering `remaining` as observed at the services' clock (FakeBalanceSource answers at NOW). */
class ClockedBalanceSource implements BalanceSource {
  calls = 0;
  constructor(
    public remaining: number,
    private readonly now: () => Date,
  ) {}
  async getBalance(accountId: string) {
    this.calls++;
    return snapshotOf(accountId, this.remaining, this.now());
  }
}

async function setup(recorded: number | undefined, source?: FakeBalanceSource) {
  const store = new MemoryAccountStore();
  let now = NOW;
  const heygen = source ?? new ClockedBalanceSource(100, () => now);
  const services = servicesOf(config, store, heygen, () => now);
  if (recorded !== undefined) {
    await store.recordSnapshot("acme", snapshotOf("acme", recorded), {
      now: NOW,
      reserveFloor: account.reserveFloor,
      settleSeconds: config.reservations.settleSeconds,
      retentionDays: config.retentionDays,
    });
  }
  const reader = new BalanceReader(services);
  return { store, services, reader, heygen, setNow: (at: Date) => (now = at) };
}

describe("reserveCredit", () => {
  it("holds the amount against the recorded balance, without calling HeyGen", async () => {
    const { store, services, reader, heygen } = await setup(100);
    const answer = await reserveCredit(services, reader, account, hold(40), undefined, SPENDER);
    expect(answer).toMatchObject({
      replayed: false,
      reservation: { amount: 40, status: "held", unit: "credits" },
    });
    expect(store.counters("acme")).toMatchObject({ reserved: 40, headroom: 55, openHolds: 1 });
    expect(heygen.calls).toBe(0);
    const ttl = config.reservations.defaultTtlSeconds;
    expect(answer.reservation.expiresAt).toBe(later(ttl).toISOString());
  });

  it("raises InsufficientBalanceError with the shortfall past the reserve floor, holding nothing", async () => {
    const { store, services, reader } = await setup(100);
    const refused = reserveCredit(services, reader, account, hold(96), undefined, SPENDER);
    await expect(refused).rejects.toBeInstanceOf(InsufficientBalanceError);
    await expect(refused).rejects.toMatchObject({ required: 96, available: 95, shortfall: 1 });
    expect(store.holds.size).toBe(0);
    expect(store.counters("acme")).toMatchObject({ reserved: 0, headroom: 95 });
  });

  it("reads the balance from HeyGen first when none is recorded, then holds against it", async () => {
    const { store, services, reader, heygen } = await setup(undefined, new FakeBalanceSource(30));
    const answer = await reserveCredit(services, reader, account, hold(20), undefined, SPENDER);
    expect(answer.reservation.amount).toBe(20);
    expect(heygen.calls).toBe(1);
    expect(store.counters("acme")).toMatchObject({ reserved: 20, headroom: 5 });
  });

  it("raises BalanceUnknownError when no balance is recorded and HeyGen cannot be read", async () => {
    const down = new FakeBalanceSource(0, { code: "unavailable", message: "HeyGen is down" });
    const { store, services, reader } = await setup(undefined, down);
    await expect(
      reserveCredit(services, reader, account, hold(1), undefined, SPENDER),
    ).rejects.toBeInstanceOf(BalanceUnknownError);
    expect(store.holds.size).toBe(0);
  });

  it("a guard that finds the recorded balance stale reads it afresh and holds against the new one", async () => {
    const { store, services, reader, heygen, setNow } = await setup(100);
    await reserveCredit(services, reader, account, hold(10), undefined, SPENDER);
    setNow(later(600)); // the recorded balance is now older than maxBalanceAgeSeconds
    heygen.remaining = 50;
    const answer = await reserveCredit(services, reader, account, hold(30), undefined, SPENDER);
    expect(answer.reservation.amount).toBe(30);
    expect(heygen.calls).toBe(1);
    // 50 − floor 5 − the two holds (40).
    expect(store.counters("acme")).toMatchObject({ reserved: 40, headroom: 5, openHolds: 2 });
    expect(store.accounts.get("acme")?.latest?.remaining).toBe(50);
  });

  it("answers an Idempotency-Key's first hold again, and refuses the key with another request", async () => {
    const { store, services, reader } = await setup(100);
    const first = await reserveCredit(services, reader, account, hold(40), keyed("job-1", "a"), SPENDER);
    const again = await reserveCredit(services, reader, account, hold(40), keyed("job-1", "a"), SPENDER);
    expect(again).toEqual({ replayed: true, reservation: first.reservation });
    await expect(
      reserveCredit(services, reader, account, hold(41), keyed("job-1", "b"), SPENDER),
    ).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
    expect(store.holds.size).toBe(1);
    expect(store.counters("acme")).toMatchObject({ reserved: 40 });
  });

  it("holds a job spec's estimate and keeps the estimate and spec on the hold", async () => {
    const { store, services, reader } = await setup(1000);
    const answer = await reserveCredit(
      services,
      reader,
      account,
      specOf({ type: "avatar_video", durationSeconds: 60 }),
      undefined,
      SPENDER,
    );
    const { reservation } = answer;
    expect(reservation.amount).toBeGreaterThan(0);
    expect(reservation.estimate).toMatchObject({ total: reservation.amount });
    expect(reservation.spec).toMatchObject({ durationSeconds: 60 });
    expect(store.counters("acme")?.reserved).toBe(reservation.amount);
  });
});
