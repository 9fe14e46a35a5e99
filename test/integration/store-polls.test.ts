import { describe, expect, it } from "vitest";
import { type Alert, INITIAL_ALERT_STATE } from "#core/account";
import { computeBalanceView } from "#core/reservations";
import type { AccountStore } from "#service/store-port";
import {
  at,
  pollRules,
  RETENTION_DAYS,
  recordPoll,
  reserveRequest,
  SETTLE_SECONDS,
  savePoll,
  settle,
  snapshot,
  storeOnDynamoDbLocal,
  T0,
} from "#test/support/store-fixtures";

const local = storeOnDynamoDbLocal();
let accounts = 0;

const rules = (now: Date) => ({ now, reserveFloor: 0, settleSeconds: SETTLE_SECONDS });

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
  const now = options.now ?? T0;
  const result = await local.store.reserve(
    accountId,
    reserveRequest(accountId, amount, now, options),
    rules(now),
  );
  if (result.kind !== "created") throw new Error(`expected a new hold, got ${result.kind}`);
  return result.view.id;
}

async function viewAt(accountId: string, now: Date) {
  const state = await local.store.getAccountState(accountId);
  if (state === undefined) throw new Error(`no state for ${accountId}`);
  return { ...computeBalanceView(state, rules(now)), headroom: state.headroom, openHolds: state.openHolds };
}

describe("settlement of committed parts", () => {
  it("a committed part counts until a snapshot settleSeconds after its commit, then only the balance does", async () => {
    const accountId = await account(100);
    const id = await hold(accountId, 30);
    const committedAt = at(T0, 10);
    await local.store.commit(id, { final: true }, settle(committedAt));

    // HeyGen has not charged yet: the part must still count, or the spend would be forgotten.
    await recordPoll(local.store, accountId, 100, at(committedAt, SETTLE_SECONDS - 1));
    expect(await viewAt(accountId, at(committedAt, SETTLE_SECONDS))).toMatchObject({
      reserved: 30,
      available: 70,
      headroom: 70,
    });

    // HeyGen's balance now reflects the charge: counting the part too would count it twice.
    await recordPoll(local.store, accountId, 70, at(committedAt, SETTLE_SECONDS));
    expect(await viewAt(accountId, at(committedAt, SETTLE_SECONDS))).toMatchObject({
      reserved: 0,
      available: 70,
      headroom: 70,
    });
    expect(await local.store.getReservation(id, at(committedAt, 3600))).toMatchObject({
      id,
      status: "committed",
      unit: "credits",
    });
  });

  it("each part of a partial commit settles by its own commit time", async () => {
    const accountId = await account(100);
    const id = await hold(accountId, 30);
    await local.store.commit(id, { part: 5, final: false }, settle(at(T0, 10)));
    await local.store.commit(id, { part: 7, final: true }, settle(at(T0, 100)));
    await recordPoll(local.store, accountId, 95, at(T0, 10 + SETTLE_SECONDS));
    expect(await viewAt(accountId, at(T0, 10 + SETTLE_SECONDS))).toMatchObject({
      reserved: 7,
      available: 88,
    });
    await recordPoll(local.store, accountId, 88, at(T0, 100 + SETTLE_SECONDS));
    expect(await viewAt(accountId, at(T0, 100 + SETTLE_SECONDS))).toMatchObject({
      reserved: 0,
      available: 88,
    });
  });

  it("a poll with an older snapshot than the recorded one does not bring settled spend back", async () => {
    const accountId = await account(100);
    const id = await hold(accountId, 30);
    await local.store.commit(id, { final: true }, settle(at(T0, 1)));
    await recordPoll(local.store, accountId, 70, at(T0, 120));
    await recordPoll(local.store, accountId, 100, at(T0, 30));
    const state = await local.store.getAccountState(accountId);
    expect(state?.latest?.observedAt).toBe(at(T0, 120).toISOString());
    expect(computeBalanceView(state, rules(at(T0, 130))).available).toBe(70);
  });

  it("a poll takes expired holds out of the counter", async () => {
    const accountId = await account(100);
    await hold(accountId, 40, { ttl: 60 });
    expect(await viewAt(accountId, at(T0, 61))).toMatchObject({ reserved: 40, openHolds: 1 });
    await recordPoll(local.store, accountId, 100, at(T0, 61));
    expect(await viewAt(accountId, at(T0, 61))).toMatchObject({ reserved: 0, available: 100, openHolds: 0 });
  });
});

describe("poll writes", () => {
  it("a failed poll creates or updates only the alert state", async () => {
    const failing = { ...INITIAL_ALERT_STATE, consecutiveFailures: 1 };
    const fresh = await savePoll(
      local.store,
      "poll-never-good",
      { tick: T0.toISOString(), alert: failing, lastPollAt: T0.toISOString() },
      pollRules(T0),
    );
    expect(fresh).toMatchObject({ accountId: "poll-never-good", headroom: 0, reserved: 0, alert: failing });
    expect(fresh.latest).toBeUndefined();
    const denied = await local.store.reserve(
      "poll-never-good",
      reserveRequest("poll-never-good", 1),
      rules(T0),
    );
    expect(denied).toEqual({ kind: "no-balance" });

    const accountId = await account(50);
    await hold(accountId, 5);
    const before = await local.store.getAccountState(accountId);
    await savePoll(
      local.store,
      accountId,
      { tick: at(T0, 60).toISOString(), alert: failing, lastPollAt: at(T0, 60).toISOString() },
      pollRules(T0),
    );
    const after = await local.store.getAccountState(accountId);
    expect(after).toEqual({ ...before, alert: failing, version: (before?.version ?? 0) + 1 });
  });

  it("a good poll records the poll time and ends the reading's lease and HeyGen's wait", async () => {
    const accountId = await account(10);
    const now = at(T0, 300);
    expect(await local.store.claimReading(accountId, { tick: now.toISOString() }, now)).toBeDefined();
    await savePoll(
      local.store,
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
    const saved = await savePoll(
      local.store,
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
    // The lease is held until the reading ends: a refresh and another tick wait for it.
    expect(
      await local.store.claimReading(accountId, { refresh: true, minIntervalSeconds: 10 }, at(T0, 1001)),
    ).toBeUndefined();
    expect(await local.store.claimReading(accountId, { tick: "tick-2" }, at(T0, 1001))).toBeUndefined();
    await savePoll(
      local.store,
      accountId,
      { tick: "tick-1", alert: INITIAL_ALERT_STATE, lastPollAt: t1.toISOString() },
      pollRules(t1),
    );
    expect(await local.store.claimReading(accountId, { tick: "tick-1" }, at(T0, 1002))).toBeUndefined();
    const r1 = at(T0, 1003);
    expect(
      await local.store.claimReading(accountId, { refresh: true, minIntervalSeconds: 10 }, r1),
    ).toMatchObject({ accountId, lastRefreshAt: r1.toISOString(), latest: { remaining: 10 } });
    await savePoll(
      local.store,
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
    const remaining = async (range: Parameters<AccountStore["listSnapshots"]>[1]) =>
      (await local.store.listSnapshots(accountId, range)).map((s) => s.remaining);

    expect(await remaining({ limit: 100 })).toEqual([91, 92, 93, 94, 95, 96, 97, 98, 99, 100]);
    expect(await remaining({ limit: 3 })).toEqual([91, 92, 93]);
    // observedAt is 3 s after each tick: the range applies to the observation time, not the tick.
    expect(
      await remaining({ since: at(ticks[2] as Date, 3), until: at(ticks[5] as Date, 2), limit: 100 }),
    ).toEqual([96, 97, 98]);
    expect(await remaining({ since: at(T0, 301), limit: 2 })).toEqual([91, 92]);
    expect(await remaining({ until: at(T0, 2), limit: 5 })).toEqual([]);
    // Found by the API fuzz: `until=0000-01-01T00:00:00Z` made DynamoDB refuse the filter (a 500).
    expect(await remaining({ until: new Date("0000-01-01T00:00:00Z"), limit: 5 })).toEqual([]);
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

  it("keeps two alerts of one type and instant apart when they are about two budgets or two cards", async () => {
    const at = "2026-12-04T10:00:00.000Z";
    const base = {
      accountId: "alerts-c",
      severity: "warning",
      level: "ok",
      previousLevel: "ok",
      createdAt: at,
    } as const;
    const drift = (rateCard: string) =>
      ({
        ...base,
        alertType: "estimate_drift",
        subject: rateCard,
        drift: {
          rateCard,
          jobType: "avatar_video",
          engine: null,
          jobs: 20,
          estimated: 20,
          actual: 25,
          ratio: 1.25,
          threshold: 1.1,
          minJobs: 20,
        },
      }) as Alert;
    const budget = (id: string) =>
      ({ ...base, alertType: "budget_usage", subject: id, budget: { id } }) as Alert;
    for (const alert of [drift("card-a"), drift("card-b"), budget("marketing"), budget("sales")]) {
      await local.store.appendAlert(alert, 30);
    }
    const log = await local.store.listAlerts("alerts-c", 10);
    expect(log.map((a) => a.subject).sort()).toEqual(["card-a", "card-b", "marketing", "sales"]);
  });
});
