import { describe, expect, it } from "vitest";
import { parseConfig } from "#config/config";
import { EstimateRequest } from "#core/job-spec";
import { BalanceReader } from "#service/balance-reader";
import { checkJobs } from "#service/checks";
import { UnknownAccountError } from "#service/errors";
import { type HoldCreditRequest, reserveCredit } from "#service/reserve-credit";
import { CALLER, FakeBalanceSource, NOW, onlyAccount, snapshotOf } from "./fakes.ts";
import { MemoryAccountStore, servicesOf } from "./memory-account-store.ts";

const SPENDER = { principal: "arn:aws:iam::123456789012:user/pipeline" };

/** checkJobs through Services over the in-memory store: what holds leave available, and an unknown balance. */

const hold = (amount: number): HoldCreditRequest => ({ amount });

const config = parseConfig({
  accounts: [{ id: "acme", thresholds: { warning: 50, critical: 10 }, reserveFloor: 5 }],
});

async function setup(recorded: number | undefined, heygen = new FakeBalanceSource(100)) {
  const store = new MemoryAccountStore();
  const services = servicesOf(config, store, heygen);
  if (recorded !== undefined) {
    await store.recordSnapshot("acme", snapshotOf("acme", recorded), {
      now: NOW,
      reserveFloor: 5,
      settleSeconds: config.reservations.settleSeconds,
      retentionDays: config.retentionDays,
    });
  }
  return { store, services, reader: new BalanceReader(services), heygen };
}

const job = EstimateRequest.parse({ durationSeconds: 60 });

describe("checkJobs", () => {
  it("allows a job that fits in what the holds leave available", async () => {
    const { services, reader } = await setup(1000);
    const answer = await checkJobs(services, reader, { ...job, accountId: "acme" }, CALLER);
    expect(answer).toMatchObject({
      allowed: true,
      decision: "allow",
      remaining: 1000,
      reserved: 0,
      available: 995,
    });
    expect(answer.required).toBe(answer.estimate?.total);
    expect(answer.remainingAfter).toBe(995 - answer.required);
  });

  it("counts what is held: a job the holds leave no room for is denied with its shortfall", async () => {
    const { store, services, reader } = await setup(1000);
    const { required } = await checkJobs(services, reader, { ...job, accountId: "acme" }, CALLER);
    const made = await reserveCredit(
      services,
      reader,
      onlyAccount(config),
      hold(995 - required / 2),
      undefined,
      SPENDER,
    );
    const answer = await checkJobs(services, reader, { ...job, accountId: "acme" }, CALLER);
    expect(answer).toMatchObject({ allowed: false, decision: "deny", reserved: made.reservation.amount });
    expect(answer.available).toBe(required / 2);
    expect(answer.shortfall).toBe(required / 2);
    expect(store.counters("acme")?.reserved).toBe(made.reservation.amount);
  });

  it("answers unknown (denied by default) when no balance is recorded and HeyGen cannot be read", async () => {
    const down = new FakeBalanceSource(0, { code: "unavailable", message: "HeyGen is down" });
    const { services, reader } = await setup(undefined, down);
    const answer = await checkJobs(services, reader, { ...job, accountId: "acme" }, CALLER);
    expect(answer).toMatchObject({
      allowed: false,
      decision: "unknown",
      available: null,
      balanceObservedAt: null,
    });
    expect(down.calls).toBe(1);
  });

  it("refuses an account it does not know", async () => {
    const { services, reader } = await setup(1000);
    await expect(checkJobs(services, reader, { ...job, accountId: "other" }, CALLER)).rejects.toBeInstanceOf(
      UnknownAccountError,
    );
  });
});
