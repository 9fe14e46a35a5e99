import { describe, expect, it } from "vitest";
import { INITIAL_ALERT_STATE } from "#core/account";
import { markSent } from "#core/alert-policy";
import type { BalanceSnapshot } from "#core/balance";
import { cardAccuracy, driftingCards } from "#core/estimate-drift";
import { ledgerRangeOf, reconcile, unexplainedThreshold } from "#core/reconciliation";
import { planSpendAlerts, type SpendAlertInput } from "#core/spend-alerts";
import type { SpendEntry } from "#core/spend-ledger";

/** The reconciliation, estimate-drift and spend-alert rules (docs/spend.md#reconciliation, docs/alerts.md). */

const T0 = Date.parse("2026-06-01T00:00:00.000Z");
const MIN = 60_000;
const at = (minutes: number) => new Date(T0 + minutes * MIN);

function snapshot(minutes: number, remaining: number, unit: "usd" | "credits" = "credits"): BalanceSnapshot {
  return {
    accountId: "a",
    observedAt: at(minutes).toISOString(),
    source: "v3",
    billingType: "wallet",
    unit,
    remaining,
    pools: [{ name: "wallet", remaining, unit }],
  };
}

function commit(minutes: number, amount: number, extra: Partial<SpendEntry> = {}): SpendEntry {
  return {
    at: at(minutes).toISOString(),
    accountId: "a",
    reservationId: `a_${minutes}`,
    seq: 2,
    amount,
    unit: "credits",
    final: true,
    ...extra,
  };
}

const window = { from: at(0), to: at(60), settleSeconds: 60 };

describe("reconcile", () => {
  it("finds 10 unexplained on a 100 wallet that fell to 80 with 10 committed", () => {
    const r = reconcile({
      ...window,
      snapshots: [snapshot(0, 100), snapshot(30, 80)],
      entries: [commit(10, 10)],
    });
    expect(r).toMatchObject({
      observed: 20,
      committed: 10,
      unexplained: 10,
      overCommitted: 0,
      startBalance: 100,
    });
    expect(r.window).toMatchObject({
      firstSnapshotAt: at(0).toISOString(),
      lastSnapshotAt: at(30).toISOString(),
      commitsFrom: at(-1).toISOString(),
      commitsTo: at(30).toISOString(),
    });
  });

  it("leaves top-ups and resets out of what was observed, as the forecast does", () => {
    const snapshots = [snapshot(0, 100), snapshot(10, 90), snapshot(20, 200), snapshot(30, 195)];
    expect(reconcile({ ...window, snapshots, entries: [] }).observed).toBe(15);
  });

  it("counts a commit up to settleSeconds before the first snapshot, whose charge may show after it", () => {
    const entries = [commit(-0.5, 5), commit(-2, 7)];
    const r = reconcile({ ...window, snapshots: [snapshot(0, 100), snapshot(30, 95)], entries });
    expect(r).toMatchObject({ committed: 5, unexplained: 0, commits: 1 });
  });

  it("counts a commit just before the last snapshot, and says HeyGen may not show it yet", () => {
    const r = reconcile({
      ...window,
      snapshots: [snapshot(0, 100), snapshot(30, 100)],
      entries: [commit(29.5, 4), commit(31, 6)],
    });
    expect(r).toMatchObject({ observed: 0, committed: 4, unsettled: 4, overCommitted: 4, unexplained: 0 });
  });

  it("judges nothing with fewer than two snapshots, and leaves other units out", () => {
    expect(reconcile({ ...window, snapshots: [snapshot(0, 100)], entries: [commit(1, 1)] })).toMatchObject({
      observed: 0,
      committed: 0,
      startBalance: 100,
      window: { firstSnapshotAt: null },
    });
    const r = reconcile({
      ...window,
      snapshots: [snapshot(0, 100), snapshot(30, 90)],
      entries: [commit(5, 3, { unit: "usd" }), commit(6, 2)],
    });
    expect(r).toMatchObject({ committed: 2, unexplained: 8 });
  });

  it("refuses a reversed range and reads the ledger from settleSeconds before it", () => {
    expect(() => reconcile({ ...window, from: at(60), to: at(0), snapshots: [], entries: [] })).toThrow(
      RangeError,
    );
    expect(ledgerRangeOf(at(0), at(60), 60)).toEqual({
      from: at(-1).toISOString(),
      to: at(60).toISOString(),
    });
  });
});

describe("unexplainedThreshold", () => {
  const rule = { enabled: true, percentOfStartBalance: 5, minimum: 1 };
  it("is 5 % of the start balance, and at least the minimum", () => {
    expect(unexplainedThreshold(100, rule)).toBe(5);
    expect(unexplainedThreshold(10, rule)).toBe(1);
    expect(unexplainedThreshold(-20, rule)).toBe(1);
  });
});

const durationPriced = (
  minutes: number,
  estimated: number,
  actual: number,
  extra: Partial<SpendEntry> = {},
) =>
  commit(minutes, actual, {
    commitBasis: "event-duration",
    rateCard: "card",
    jobType: "avatar_video",
    engine: "avatar_iv",
    estimatedAmount: estimated,
    actualAmount: actual,
    ...extra,
  });

describe("cardAccuracy", () => {
  it("sums duration-priced commits per card, job type and engine, and leaves the others out", () => {
    const entries = [
      durationPriced(1, 4, 5),
      durationPriced(2, 4, 5),
      durationPriced(3, 2, 2, { engine: undefined }),
      durationPriced(4, 4, 9, { commitBasis: "held-amount" }),
      commit(5, 3, { estimatedAmount: 2, actualAmount: 3, rateCard: "card" }),
    ];
    expect(cardAccuracy(entries)).toEqual([
      { rateCard: "card", jobType: "avatar_video", engine: null, jobs: 1, estimated: 2, actual: 2, ratio: 1 },
      {
        rateCard: "card",
        jobType: "avatar_video",
        engine: "avatar_iv",
        jobs: 2,
        estimated: 8,
        actual: 10,
        ratio: 1.25,
      },
    ]);
  });

  it("finds drift only past the ratio over enough jobs", () => {
    const twenty = Array.from({ length: 20 }, (_, i) => durationPriced(i, 4, 5));
    const rule = { enabled: true, ratio: 1.1, minJobs: 20 };
    expect(driftingCards(cardAccuracy(twenty), rule)).toHaveLength(1);
    expect(driftingCards(cardAccuracy(twenty.slice(1)), rule)).toEqual([]);
    expect(driftingCards(cardAccuracy(twenty.map((e) => ({ ...e, actualAmount: 4.4 }))), rule)).toEqual([]);
  });
});

const rules = {
  unexplainedSpend: { enabled: true, percentOfStartBalance: 5, minimum: 1 },
  estimateDrift: { enabled: true, ratio: 1.1, minJobs: 20 },
  repeatHours: { warning: 24 },
  hysteresisPercent: 10,
};

function input(unexplainedTo: number, fields: Partial<SpendAlertInput> = {}): SpendAlertInput {
  const reconciliation = reconcile({
    ...window,
    snapshots: [snapshot(0, 100), snapshot(30, unexplainedTo)],
    entries: [commit(10, 10)],
  });
  return {
    accountId: "a",
    state: INITIAL_ALERT_STATE,
    reconciliation,
    cards: [],
    rules,
    reading: { level: "ok", remaining: unexplainedTo, available: unexplainedTo, unit: "credits" },
    now: at(30),
    ...fields,
  };
}

describe("planSpendAlerts", () => {
  it("alerts unexplained_spend once, reminds after repeatHours, and clears below the margin", () => {
    const first = planSpendAlerts(input(80));
    expect(first.alerts.map((a) => a.alertType)).toEqual(["unexplained_spend"]);
    expect(first.alerts[0]?.unexplained).toMatchObject({ unexplained: 10, threshold: 5, startBalance: 100 });
    expect(first.alerts[0]?.subject).toContain("fell 10.00 credits more than Quota Guard committed");
    const told = markSent(first.state, first.alerts[0] as never, at(30));
    expect(planSpendAlerts(input(80, { state: told, now: at(31) })).alerts).toEqual([]);
    expect(planSpendAlerts(input(80, { state: told, now: at(30 + 24 * 60) })).alerts).toHaveLength(1);
    // 95 → 100 − 95 − 10 committed: nothing unexplained; 4.6 unexplained stays inside the margin.
    expect(planSpendAlerts(input(90, { state: told })).state.unexplainedNotifiedAt).toBeUndefined();
    expect(planSpendAlerts(input(85.4, { state: told })).state.unexplainedNotifiedAt).toBeDefined();
  });

  it("keeps quiet at or under the threshold, and when turned off", () => {
    expect(planSpendAlerts(input(85)).alerts).toEqual([]);
    const off = { ...rules, unexplainedSpend: { ...rules.unexplainedSpend, enabled: false } };
    expect(planSpendAlerts(input(50, { rules: off })).alerts).toEqual([]);
    const drifting = cardAccuracy(Array.from({ length: 20 }, (_, i) => durationPriced(i, 4, 5)));
    const noDrift = { ...rules, estimateDrift: { ...rules.estimateDrift, enabled: false } };
    expect(planSpendAlerts(input(90, { rules: noDrift, cards: drifting })).alerts).toEqual([]);
  });

  it("alerts estimate_drift once per card, and again only after the card was found accurate", () => {
    const drifting = cardAccuracy(Array.from({ length: 20 }, (_, i) => durationPriced(i, 4, 5)));
    const plan = planSpendAlerts(input(90, { cards: drifting }));
    expect(plan.alerts.map((a) => a.alertType)).toEqual(["estimate_drift"]);
    expect(plan.alerts[0]?.drift).toMatchObject({ rateCard: "card", jobs: 20, ratio: 1.25, threshold: 1.1 });
    expect(plan.alerts[0]?.subject).toContain(
      "rate card card under-estimates avatar_video by 25%, engine avatar_iv, 20 jobs",
    );
    const told = markSent(plan.state, plan.alerts[0] as never, at(30));
    expect(told.driftingCards).toEqual(["card|avatar_video|avatar_iv"]);
    expect(planSpendAlerts(input(90, { cards: drifting, state: told })).alerts).toEqual([]);
    const accurate = cardAccuracy(Array.from({ length: 20 }, (_, i) => durationPriced(i, 4, 4)));
    expect(planSpendAlerts(input(90, { cards: accurate, state: told })).state.driftingCards).toBeUndefined();
    expect(
      planSpendAlerts(input(90, { cards: drifting.map((c) => ({ ...c, jobs: 3 })), state: told })).state,
    ).toMatchObject({ driftingCards: ["card|avatar_video|avatar_iv"] });
  });
});
