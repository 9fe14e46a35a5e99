import { describe, expect, it } from "vitest";
import { parseConfig } from "#config/config";
import type { SpendEntry } from "#core/spend-ledger";
import { AccessDeniedError } from "#service/errors";
import { accountReconciliation, rateCardAccuracy } from "#service/reconciliation";
import { FakeBalanceSource, NOW, snapshotOf, stateOf } from "./fakes.ts";
import { MemoryAccountStore, servicesOf } from "./memory-account-store.ts";

/** The reconciliation and rate-card accuracy use cases on fakes: ranges, access and what each reads. */

const CI = "arn:aws:iam::111111111111:role/ci";
const OTHER = "arn:aws:iam::999999999999:user/other";
const config = parseConfig({ accounts: [{ id: "locked", access: { principals: [CI] } }, { id: "open" }] });
const HOUR = 3_600_000;
const ago = (hours: number) => new Date(NOW.getTime() - hours * HOUR);

const priced = (accountId: string, actual: number): SpendEntry => ({
  at: ago(1).toISOString(),
  accountId,
  reservationId: `${accountId}_1`,
  seq: 2,
  amount: actual,
  unit: "credits",
  final: true,
  commitBasis: "event-duration",
  rateCard: "card",
  jobType: "avatar_video",
  estimatedAmount: 4,
  actualAmount: actual,
});

function setup() {
  const store = new MemoryAccountStore();
  const services = servicesOf(config, store, new FakeBalanceSource(100));
  return { store, services };
}

describe("accountReconciliation", () => {
  it("answers the account's reconciliation with what it holds now", async () => {
    const { store, services } = setup();
    await store.putSnapshot("open", "t1", snapshotOf("open", 100, ago(2)));
    await store.putSnapshot("open", "t2", snapshotOf("open", 80, ago(0.5)));
    store.ledger.push(priced("open", 10));
    store.accounts.set("open", stateOf("open", { reserved: 3, latest: snapshotOf("open", 80, ago(0.5)) }));
    const answer = await accountReconciliation(services, "open", {}, OTHER);
    expect(answer).toMatchObject({
      accountId: "open",
      observed: 20,
      committed: 10,
      unexplained: 10,
      held: 3,
    });
  });

  it("reads every snapshot of a long range, a page of 1,000 at a time, not only the newest page", async () => {
    const { store, services } = setup();
    // 2,500 readings 5 minutes apart, each 0.1 lower: 249.9 consumed in all, none of it committed.
    for (let i = 0; i < 2500; i++) {
      const at = new Date(NOW.getTime() - (2500 - i) * 300_000);
      await store.putSnapshot("open", `t${i}`, snapshotOf("open", 1000 - i * 0.1, at));
    }
    const answer = await accountReconciliation(services, "open", { from: ago(24 * 9).toISOString() }, OTHER);
    expect(answer.snapshots).toBe(2500);
    expect(answer.observed).toBeCloseTo(249.9, 6);
    expect(answer.window.firstSnapshotAt).toBe(new Date(NOW.getTime() - 2500 * 300_000).toISOString());
  });

  it("refuses a reversed range naming /query/from, and a caller outside the account's rule", async () => {
    const { services } = setup();
    const reversed = { from: NOW.toISOString(), to: ago(1).toISOString() };
    await expect(accountReconciliation(services, "open", reversed, CI)).rejects.toMatchObject({
      name: "InvalidRequestError",
      fields: expect.arrayContaining([expect.objectContaining({ pointer: "/query/from" })]),
    });
    await expect(accountReconciliation(services, "locked", {}, OTHER)).rejects.toThrow(AccessDeniedError);
  });
});

describe("rateCardAccuracy", () => {
  it("sums the cards over the accounts the caller may use only", async () => {
    const { store, services } = setup();
    store.ledger.push(priced("locked", 5), priced("open", 6));
    expect((await rateCardAccuracy(services, {}, CI)).cards).toMatchObject([
      { jobs: 2, estimated: 8, actual: 11 },
    ]);
    expect((await rateCardAccuracy(services, {}, OTHER)).cards).toMatchObject([
      { jobs: 1, actual: 6, ratio: 1.5 },
    ]);
  });
});
