import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import type { OutputReport } from "#service/reservation-port";
import { keys } from "#store/table";
import {
  at,
  heldId,
  RETENTION_DAYS,
  recordPoll,
  reserveRequest,
  settle,
  storeOnDynamoDbLocal,
  T0,
} from "#test/support/store-fixtures";

/**
 * On DynamoDB Local: every commit writes one spend ledger entry in its own transaction (none for a replay or
 * a refusal), read back by time range; and the reservations listing filtered by labels.
 */
const local = storeOnDynamoDbLocal();
let accounts = 0;
const labels = { campaign: "spring", client: "acme" };

async function labelledHold(amount: number, remaining = 100, holdLabels = labels) {
  const accountId = `ledger-${++accounts}`;
  await recordPoll(local.store, accountId, remaining, T0);
  const request = {
    ...reserveRequest(accountId, amount, T0),
    labels: holdLabels,
    principal: "arn:aws:iam::1:user/a",
  };
  const id = heldId(await local.store.reserve(accountId, request, settle(T0)));
  return { accountId, id };
}

const everything = { from: "2000-01-01T00:00:00.000Z", to: "2100-01-01T00:00:00.000Z" };

describe("the spend ledger on DynamoDB Local", () => {
  it("a partial and a final commit write one entry each, with the hold's labels and principal", async () => {
    const { accountId, id } = await labelledHold(6);
    await local.store.commit(id, { part: 2, final: false }, settle(at(T0, 10)));
    await local.store.commit(id, { totalAmount: 5, final: true }, settle(at(T0, 20)));
    const entries = await local.store.listSpend(accountId, everything);
    expect(entries).toEqual([
      expect.objectContaining({ at: at(T0, 10).toISOString(), amount: 2, final: false, labels }),
      expect.objectContaining({ at: at(T0, 20).toISOString(), amount: 3, final: true, labels }),
    ]);
    expect(entries[1]).toMatchObject({
      reservationId: id,
      unit: "credits",
      principal: "arn:aws:iam::1:user/a",
    });
    // A pipeline's commit of an explicit amount has no estimate to compare with, and no webhook basis.
    expect(entries[1]).not.toHaveProperty("estimatedAmount");
    expect(entries[1]).not.toHaveProperty("commitBasis");
  });

  it("an entry expires retentionDays after its commit", async () => {
    const { accountId, id } = await labelledHold(3);
    await local.store.commit(id, { final: true }, settle(at(T0, 30)));
    const [entry] = await local.store.listSpend(accountId, everything);
    if (!entry) throw new Error("no entry");
    const item = await local.dynamo.doc.send(
      new GetCommand({
        TableName: local.tableName,
        Key: { pk: keys.account(accountId), sk: keys.spend(entry.at, entry.reservationId, entry.seq) },
      }),
    );
    expect(item.Item?.ttl).toBe(Math.floor(at(T0, 30).getTime() / 1000) + RETENTION_DAYS * 86_400);
  });

  it("a replayed final commit and a refused one write nothing", async () => {
    const { accountId, id } = await labelledHold(5, 6);
    // 5 held of 6: a commit of 10 needs 5 more than held and only 1 is available.
    const refused = await local.store.commit(id, { part: 10, final: true }, settle(at(T0, 5)));
    expect(refused.kind).toBe("exceeds-available");
    expect(await local.store.listSpend(accountId, everything)).toEqual([]);
    await local.store.commit(id, { part: 4, final: true }, settle(at(T0, 10)));
    const again = await local.store.commit(id, { part: 4, final: true }, settle(at(T0, 11)));
    expect(again).toMatchObject({ kind: "ok", replayed: true });
    expect((await local.store.listSpend(accountId, everything)).map((e) => e.amount)).toEqual([4]);
  });

  it("each succeeded output writes an entry; the failure that ends the job writes none", async () => {
    const { accountId, id } = await labelledHold(6);
    const output = (outputId: string, outcome: "success" | "fail"): OutputReport => ({
      outputId,
      outputs: 3,
      outcome: outcome === "success" ? { outcome, basis: "held-amount" } : { outcome, reason: "failed" },
    });
    await local.store.recordOutput(id, output("fr", "success"), settle(at(T0, 1)));
    await local.store.recordOutput(id, output("de", "success"), settle(at(T0, 2)));
    await local.store.recordOutput(id, output("es", "fail"), settle(at(T0, 3)));
    const entries = await local.store.listSpend(accountId, everything);
    expect(entries.map((e) => [e.amount, e.final])).toEqual([
      [2, false],
      [2, false],
    ]);
  });

  it("a range includes its start and excludes its end", async () => {
    const { accountId, id } = await labelledHold(6);
    await local.store.commit(id, { part: 1, final: false }, settle(at(T0, 60)));
    await local.store.commit(id, { part: 1, final: false }, settle(at(T0, 120)));
    await local.store.commit(id, { part: 1, final: true }, settle(at(T0, 180)));
    const range = { from: at(T0, 60).toISOString(), to: at(T0, 180).toISOString() };
    const entries = await local.store.listSpend(accountId, range);
    expect(entries.map((e) => e.at)).toEqual([at(T0, 60).toISOString(), at(T0, 120).toISOString()]);
  });
});

describe("GET /v1/reservations label filters, on DynamoDB Local", () => {
  it("keeps only holds with every label asked, across pages of the query", async () => {
    const accountId = `ledger-${++accounts}`;
    await recordPoll(local.store, accountId, 1000, T0);
    const campaigns = ["spring", "fall", "spring", "spring", "fall"];
    for (const [i, campaign] of campaigns.entries()) {
      const request = {
        ...reserveRequest(accountId, 1, at(T0, i)),
        labels: { campaign, team: i < 3 ? "a" : "b" },
      };
      await local.store.reserve(accountId, request, settle(at(T0, i)));
    }
    const now = at(T0, 10);
    const spring = await local.store.listReservations(
      accountId,
      { limit: 10, labels: { campaign: "spring" } },
      now,
    );
    expect(spring.reservations.map((r) => r.labels?.campaign)).toEqual(["spring", "spring", "spring"]);
    const both = await local.store.listReservations(
      accountId,
      { limit: 10, labels: { campaign: "spring", team: "b" } },
      now,
    );
    expect(both.reservations).toHaveLength(1);
    const held = await local.store.listReservations(
      accountId,
      { limit: 10, status: "held", labels: { campaign: "fall" } },
      now,
    );
    expect(held.reservations).toHaveLength(2);
    const none = await local.store.listReservations(
      accountId,
      { limit: 10, labels: { campaign: "winter" } },
      now,
    );
    expect(none.reservations).toEqual([]);
  });
});
