import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import { type Alert, INITIAL_ALERT_STATE } from "#core/account";
import { reservationIdFor } from "#core/reservation-id";
import { computeBalanceView } from "#core/reservations";
import type { QuotaStore } from "#service/store-port";
import { keys } from "#store/table";
import {
  at,
  pollRules,
  RETENTION_DAYS,
  recordPoll,
  SETTLE_SECONDS,
  snapshot,
  storeOnDynamoDbLocal,
  T0,
} from "#test/support/store-fixtures";

const local = storeOnDynamoDbLocal();
let accounts = 0;

const rules = (now: Date) => ({ now, reserveFloor: 0, settleSeconds: SETTLE_SECONDS });
const DAY = 86_400;

async function account(remaining: number): Promise<string> {
  const accountId = `poll-${++accounts}`;
  await recordPoll(local.store, accountId, remaining, T0);
  return accountId;
}

async function hold(
  accountId: string,
  amount: number,
  options: { key?: string; ttl?: number; now?: Date } = {},
) {
  const result = await local.store.reserve(
    accountId,
    {
      id: reservationIdFor(accountId, options.key),
      amount,
      ttlSeconds: options.ttl ?? 3600,
      ...(options.key === undefined ? {} : { idempotencyKey: options.key }),
    },
    rules(options.now ?? T0),
  );
  if (result.kind !== "created") throw new Error(`expected a new hold, got ${result.kind}`);
  return result.hold.id;
}

async function viewAt(accountId: string, now: Date) {
  const state = await local.store.getAccountState(accountId);
  if (state === undefined) throw new Error(`no state for ${accountId}`);
  return { ...computeBalanceView(state, rules(now)), headroom: state.headroom, holds: state.holds };
}

async function archiveItem(accountId: string, reservationId: string) {
  const { Item } = await local.dynamo.doc.send(
    new GetCommand({
      TableName: local.tableName,
      Key: { pk: keys.account(accountId), sk: keys.reservation(reservationId) },
    }),
  );
  return Item;
}

describe("settlement of committed holds", () => {
  it("a committed hold counts until a snapshot settleSeconds after the commit, then is archived", async () => {
    const accountId = await account(100);
    const id = await hold(accountId, 30);
    const committedAt = at(T0, 10);
    await local.store.commit(id, undefined, committedAt);

    // HeyGen has not charged yet: the hold must still count, or the spend would be forgotten.
    await recordPoll(local.store, accountId, 100, at(committedAt, SETTLE_SECONDS - 1));
    const early = await viewAt(accountId, at(committedAt, SETTLE_SECONDS));
    expect(early).toMatchObject({ reserved: 30, available: 70, headroom: 70 });
    expect(await archiveItem(accountId, id)).toBeUndefined();

    // HeyGen's balance now reflects the charge: counting the hold too would count it twice.
    await recordPoll(local.store, accountId, 70, at(committedAt, SETTLE_SECONDS));
    const settled = await viewAt(accountId, at(committedAt, SETTLE_SECONDS));
    expect(settled).toMatchObject({ reserved: 0, available: 70, headroom: 70 });
    expect(settled.holds[id]).toBeUndefined();
    expect(await archiveItem(accountId, id)).toMatchObject({ hold: { id, status: "committed" } });
    expect(await local.store.getReservation(id, at(committedAt, 3600))).toMatchObject({
      archived: true,
      view: { id, status: "committed", unit: "credits" },
    });
  });

  it("a poll with an older snapshot than the recorded one does not bring settled spend back", async () => {
    const accountId = await account(100);
    const id = await hold(accountId, 30);
    await local.store.commit(id, undefined, at(T0, 1));
    await recordPoll(local.store, accountId, 70, at(T0, 120));
    await recordPoll(local.store, accountId, 100, at(T0, 30));
    const state = await local.store.getAccountState(accountId);
    expect(state?.latest?.observedAt).toBe(at(T0, 120).toISOString());
    expect(computeBalanceView(state ?? { holds: {} }, rules(at(T0, 130))).available).toBe(70);
  });
});

describe("the idempotency window", () => {
  it("keeps released and expired holds for 24 h, then archives them; a repeated key still finds its hold", async () => {
    const accountId = await account(100);
    const released = await hold(accountId, 10, { key: "job-released" });
    const expired = await hold(accountId, 10, { ttl: 60 });
    await local.store.release(released, at(T0, 5));

    await recordPoll(local.store, accountId, 100, at(T0, DAY - 60));
    expect(Object.keys((await viewAt(accountId, at(T0, DAY))).holds).sort()).toEqual(
      [released, expired].sort(),
    );

    await recordPoll(local.store, accountId, 100, at(T0, DAY + 120));
    const after = await viewAt(accountId, at(T0, DAY + 120));
    expect(after.holds).toEqual({});
    expect(after).toMatchObject({ available: 100, headroom: 100 });
    expect(await local.store.getReservation(expired, at(T0, DAY + 120))).toMatchObject({
      view: { status: "expired" },
    });

    const repeat = await local.store.reserve(
      accountId,
      { id: released, amount: 10, ttlSeconds: 60, idempotencyKey: "job-released" },
      rules(at(T0, DAY + 200)),
    );
    expect(repeat).toMatchObject({ kind: "existing", hold: { id: released, status: "released" } });
    const final = await viewAt(accountId, at(T0, DAY + 200));
    expect(final.holds).toEqual({});
    expect(final.available).toBe(100);
  });
});

describe("poll writes", () => {
  it("a failed poll creates or updates only the alert state", async () => {
    const failing = { ...INITIAL_ALERT_STATE, consecutiveFailures: 1 };
    const fresh = await local.store.savePoll(
      "poll-never-good",
      { tick: T0.toISOString(), alert: failing, lastPollAt: T0.toISOString() },
      pollRules(T0),
    );
    expect(fresh).toMatchObject({ accountId: "poll-never-good", headroom: 0, holds: {}, alert: failing });
    expect(fresh.latest).toBeUndefined();
    const denied = await local.store.reserve(
      "poll-never-good",
      { id: reservationIdFor("poll-never-good"), amount: 1, ttlSeconds: 60 },
      rules(T0),
    );
    expect(denied).toEqual({ kind: "no-balance" });

    const accountId = await account(50);
    const id = await hold(accountId, 5);
    const before = await local.store.getAccountState(accountId);
    await local.store.savePoll(
      accountId,
      { tick: at(T0, 60).toISOString(), alert: failing, lastPollAt: at(T0, 60).toISOString() },
      pollRules(T0),
    );
    const after = await local.store.getAccountState(accountId);
    expect(after).toEqual({ ...before, alert: failing, version: (before?.version ?? 0) + 1 });
    expect(after?.holds[id]?.status).toBe("held");
  });

  it("a good poll records the poll time and ends the reading's lease and HeyGen's wait", async () => {
    const accountId = await account(10);
    const now = at(T0, 300);
    expect(await local.store.claimReading(accountId, { tick: now.toISOString() }, now)).toBeDefined();
    await local.store.savePoll(
      accountId,
      {
        tick: now.toISOString(),
        alert: INITIAL_ALERT_STATE,
        lastPollAt: now.toISOString(),
        retryNotBefore: { until: at(T0, 900).toISOString(), reason: "429" },
      },
      pollRules(now),
    );
    expect(await local.store.getAccountState(accountId)).toMatchObject({
      retryNotBefore: { until: at(T0, 900).toISOString() },
    });
    const later = at(T0, 960);
    const saved = await local.store.savePoll(
      accountId,
      {
        tick: later.toISOString(),
        snapshot: snapshot(accountId, 9, later),
        alert: INITIAL_ALERT_STATE,
        lastPollAt: later.toISOString(),
      },
      pollRules(later),
    );
    expect(saved).toMatchObject({
      lastPollTick: now.toISOString(),
      lastPollAt: later.toISOString(),
      latest: { remaining: 9 },
    });
    expect(saved.retryNotBefore).toBeUndefined();
    expect(saved.readingLeaseUntil).toBeUndefined();
  });
});

describe("reading claims", () => {
  it("a tick is claimed once; a refresh at most once per interval; none while another reading holds the lease", async () => {
    const accountId = await account(10);
    const t1 = at(T0, 1000);
    expect(await local.store.claimReading(accountId, { tick: "tick-1" }, t1)).toBeDefined();
    // The lease is held until savePoll: a refresh and another tick wait for it.
    expect(
      await local.store.claimReading(accountId, { refresh: true, minIntervalSeconds: 10 }, at(T0, 1001)),
    ).toBeUndefined();
    expect(await local.store.claimReading(accountId, { tick: "tick-2" }, at(T0, 1001))).toBeUndefined();
    await local.store.savePoll(
      accountId,
      { tick: "tick-1", alert: INITIAL_ALERT_STATE, lastPollAt: t1.toISOString() },
      pollRules(t1),
    );
    expect(await local.store.claimReading(accountId, { tick: "tick-1" }, at(T0, 1002))).toBeUndefined();
    const r1 = at(T0, 1003);
    expect(
      await local.store.claimReading(accountId, { refresh: true, minIntervalSeconds: 10 }, r1),
    ).toMatchObject({ accountId, lastRefreshAt: r1.toISOString(), latest: { remaining: 10 } });
    await local.store.savePoll(
      accountId,
      { tick: r1.toISOString(), lastPollAt: r1.toISOString() },
      pollRules(r1),
    );
    expect(
      await local.store.claimReading(accountId, { refresh: true, minIntervalSeconds: 10 }, at(T0, 1010)),
    ).toBeUndefined();
    expect(
      await local.store.claimReading(accountId, { refresh: true, minIntervalSeconds: 10 }, at(T0, 1013)),
    ).toBeDefined();
  });

  it("a lease left by a reading that died expires", async () => {
    const accountId = await account(10);
    expect(await local.store.claimReading(accountId, { tick: "a" }, at(T0, 2000))).toBeDefined();
    expect(await local.store.claimReading(accountId, { tick: "b" }, at(T0, 2030))).toBeUndefined();
    expect(await local.store.claimReading(accountId, { tick: "b" }, at(T0, 2061))).toBeDefined();
  });
});

describe("balance history", () => {
  it("a retried tick writes one snapshot", async () => {
    const accountId = "history-retry";
    const tick = T0.toISOString();
    expect(
      await local.store.putSnapshot(accountId, tick, snapshot(accountId, 10, at(T0, 2)), RETENTION_DAYS),
    ).toBe(true);
    expect(
      await local.store.putSnapshot(accountId, tick, snapshot(accountId, 9, at(T0, 9)), RETENTION_DAYS),
    ).toBe(false);
    const history = await local.store.listSnapshots(accountId, { limit: 10 });
    expect(history.map((s) => s.remaining)).toEqual([10]);
  });

  it("lists newest first within since/until and up to limit", async () => {
    const accountId = "history-range";
    const ticks = Array.from({ length: 10 }, (_, i) => at(T0, i * 300));
    for (const [i, tick] of ticks.entries()) {
      await local.store.putSnapshot(
        accountId,
        tick.toISOString(),
        snapshot(accountId, 100 - i, at(tick, 3)),
        RETENTION_DAYS,
      );
    }
    await local.store.putSnapshot(
      "history-other",
      T0.toISOString(),
      snapshot("history-other", 1, T0),
      RETENTION_DAYS,
    );
    const remaining = async (range: Parameters<QuotaStore["listSnapshots"]>[1]) =>
      (await local.store.listSnapshots(accountId, range)).map((s) => s.remaining);

    expect(await remaining({ limit: 100 })).toEqual([91, 92, 93, 94, 95, 96, 97, 98, 99, 100]);
    expect(await remaining({ limit: 3 })).toEqual([91, 92, 93]);
    // observedAt is 3 s after each tick: the range applies to the observation time, not the tick.
    expect(
      await remaining({ since: at(ticks[2] as Date, 3), until: at(ticks[5] as Date, 2), limit: 100 }),
    ).toEqual([96, 97, 98]);
    expect(await remaining({ since: at(T0, 301), limit: 2 })).toEqual([91, 92]);
    expect(await remaining({ until: at(T0, 2), limit: 5 })).toEqual([]);
  });

  it("rejects a bad limit or time, naming it", async () => {
    await expect(local.store.listSnapshots("x", { limit: 0 })).rejects.toThrow(/limit/);
    await expect(local.store.putSnapshot("x", "not-a-time", snapshot("x", 1, T0), 1)).rejects.toThrow(/tick/);
  });
});

describe("alert log", () => {
  it("lists an account's alerts newest first, up to limit", async () => {
    const alert = (accountId: string, minutes: number, alertType: Alert["alertType"]): Alert => ({
      accountId,
      alertType,
      severity: "warning",
      level: "warning",
      previousLevel: "ok",
      subject: `alert at ${minutes}`,
      createdAt: at(T0, minutes * 60).toISOString(),
      status: "sent",
      hoursToExhaustion: undefined,
    });
    for (const minutes of [5, 1, 3, 2, 4])
      await local.store.appendAlert(alert("alerts-a", minutes, "low_balance"), 30);
    await local.store.appendAlert(alert("alerts-a", 4, "forecast"), 30);
    await local.store.appendAlert(alert("alerts-b", 9, "low_balance"), 30);

    const log = await local.store.listAlerts("alerts-a", 4);
    expect(log.map((a) => [a.subject, a.alertType])).toEqual([
      ["alert at 5", "low_balance"],
      ["alert at 4", "low_balance"],
      ["alert at 4", "forecast"],
      ["alert at 3", "low_balance"],
    ]);
    expect(log[0]).toEqual(alert("alerts-a", 5, "low_balance"));
    expect(await local.store.listAlerts("alerts-b", 10)).toHaveLength(1);
  });
});
