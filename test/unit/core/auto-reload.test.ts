import { describe, expect, it } from "vitest";
import { parseConfig } from "#config/config";
import { type Alert, type AlertState, INITIAL_ALERT_STATE } from "#core/account";
import { markSent, planAlerts } from "#core/alert-policy";
import { watchAutoReload } from "#core/auto-reload";
import type { BalanceSnapshot } from "#core/balance";
import { type Forecast, forecast } from "#core/forecast";

/** Auto-reload (core/auto-reload.ts): the missed-reload watch, its alert, and the forecast's cap. */

const RULES = parseConfig({}).alerts;
const THRESHOLDS = { warning: 5, critical: 2 };
const START = Date.parse("2026-06-01T00:00:00.000Z");
const HOUR = 3_600_000;

function wallet(
  remaining: number,
  atMs = START,
  reload: BalanceSnapshot["autoReload"] = RELOAD,
): BalanceSnapshot {
  return {
    accountId: "acme",
    observedAt: new Date(atMs).toISOString(),
    source: "v3",
    billingType: "wallet",
    unit: "usd",
    remaining,
    pools: [{ name: "wallet", remaining, unit: "usd" }],
    ...(reload ? { autoReload: reload } : {}),
  };
}
const RELOAD = { enabled: true, thresholdUsd: 20, amountUsd: 100 };
const NO_FORECAST: Forecast = {
  burnRatePerHour: null,
  hoursToExhaustion: null,
  exhaustsAt: null,
  samples: 1,
  spanMinutes: 0,
  minSpanMinutes: 30,
};

/** Readings of `balances` in turn, every published alert accepted; answers the auto_reload_missed alerts. */
function readings(balances: number[], reload: BalanceSnapshot["autoReload"] = RELOAD): Alert[] {
  let state: AlertState = INITIAL_ALERT_STATE;
  const sent: Alert[] = [];
  balances.forEach((remaining, i) => {
    const now = new Date(START + i * 300_000);
    const snapshot = wallet(remaining, now.getTime(), reload);
    const plan = planAlerts({
      accountId: "acme",
      state,
      outcome: { ok: true, snapshot, available: remaining, forecast: NO_FORECAST },
      thresholds: THRESHOLDS,
      alerts: RULES,
      now,
    });
    state = plan.alerts.reduce((s, alert) => markSent(s, alert, now), plan.state);
    sent.push(...plan.alerts.filter((a) => a.alertType === "auto_reload_missed"));
  });
  return sent;
}

describe("auto_reload_missed", () => {
  it("is raised at the second reading below the threshold without a rise, once", () => {
    const missed = readings([30, 15, 14, 13, 12]);
    expect(missed).toHaveLength(1);
    expect(missed[0]).toMatchObject({ alertType: "auto_reload_missed", severity: "warning", remaining: 14 });
    expect(missed[0]?.subject).toContain("auto-reload did not happen");
  });

  it("is not raised when the reload comes (a rise), and is raised again after a rise when the next one is missed", () => {
    expect(readings([15, 115, 90])).toEqual([]);
    // Missed, reloaded (a rise clears it), then missed again: two alerts, one per change.
    expect(readings([15, 14, 13, 113, 19, 18])).toHaveLength(2);
  });

  it("watches nothing when auto-reload is off or its threshold unknown", () => {
    expect(readings([15, 14, 13], { enabled: false })).toEqual([]);
    expect(readings([15, 14, 13], { enabled: true })).toEqual([]);
    expect(watchAutoReload(undefined, wallet(15, START, { enabled: false }))).toEqual({ missed: false });
  });

  it("counts only readings below the threshold: at it or above, the count is 0", () => {
    const since = new Date(START).toISOString();
    const first = watchAutoReload(undefined, wallet(15));
    expect(first).toEqual({ watch: { belowReadings: 1, remaining: 15, belowSince: since }, missed: false });
    const second = watchAutoReload(first.watch, wallet(15, START + 5 * 60_000));
    expect(second).toEqual({ watch: { belowReadings: 2, remaining: 15, belowSince: since }, missed: true });
    expect(watchAutoReload(second.watch, wallet(20)).watch).toEqual({ belowReadings: 0, remaining: 20 });
  });

  it("waits a poll's 5 minutes from the first reading below: a refresh a minute later is not the second poll", () => {
    const first = watchAutoReload(undefined, wallet(15));
    const refresh = watchAutoReload(first.watch, wallet(15, START + 60_000));
    expect(refresh.missed).toBe(false);
    const poll = watchAutoReload(refresh.watch, wallet(15, START + 5 * 60_000));
    expect(poll).toMatchObject({ watch: { belowReadings: 3 }, missed: true });
  });
});

describe("the forecast with auto-reload on", () => {
  /** Readings every hour for 10 hours, 2 usd an hour, ending at `last`. */
  const history = (last: number, reload?: BalanceSnapshot["autoReload"]) =>
    Array.from({ length: 11 }, (_, i) => wallet(last + (10 - i) * 2, START + i * HOUR, reload));
  const now = new Date(START + 10 * HOUR);

  it("forecasts no exhaustion, and says when the reload is due, when the reload comes first", () => {
    const f = forecast(history(60, RELOAD), { now, available: 60 });
    expect(f.burnRatePerHour).toBeCloseTo(2);
    expect(f.hoursToExhaustion).toBeNull();
    expect(f.exhaustsAt).toBeNull();
    // (60 − 20) / 2 = 20 hours to the threshold.
    expect(f.cappedByAutoReloadAt).toBe(new Date(now.getTime() + 20 * HOUR).toISOString());
  });

  it("forecasts exhaustion as before when auto-reload is off", () => {
    const f = forecast(history(60, { enabled: false }), { now, available: 60 });
    expect(f.hoursToExhaustion).toBeCloseTo(30);
    expect(f.cappedByAutoReloadAt).toBeUndefined();
  });

  it("forecasts exhaustion when holds use up what is available before the balance reaches the threshold", () => {
    // 60 left, but holds leave 10 available: that runs out in 5 hours, the reload is due in 20.
    const f = forecast(history(60, RELOAD), { now, available: 10 });
    expect(f.hoursToExhaustion).toBeCloseTo(5);
    expect(f.cappedByAutoReloadAt).toBeUndefined();
  });
});
