import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type AlertsConfig, parseConfig } from "#config/config";
import { type Alert, type AlertState, INITIAL_ALERT_STATE } from "#core/account";
import { balanceLevel, markSent, type PollOutcome, planAlerts, settledLevel } from "#core/alert-policy";
import type { BalanceSnapshot } from "#core/balance";
import type { Forecast } from "#core/forecast";

const DEFAULTS = parseConfig({}).alerts;
const THRESHOLDS = { warning: 50, critical: 10 };
const HOUR = 3_600_000;

function goodPoll(available: number, hoursToExhaustion: number | null = null, at = new Date()): PollOutcome {
  const snapshot: BalanceSnapshot = {
    accountId: "default",
    observedAt: at.toISOString(),
    source: "v3",
    billingType: "wallet",
    unit: "credits",
    remaining: available,
    pools: [],
  };
  const forecast: Forecast =
    hoursToExhaustion === null
      ? {
          burnRatePerHour: null,
          hoursToExhaustion: null,
          exhaustsAt: null,
          samples: 1,
          spanMinutes: 0,
          minSpanMinutes: 30,
        }
      : {
          burnRatePerHour: 1,
          hoursToExhaustion,
          exhaustsAt: new Date(at.getTime() + hoursToExhaustion * HOUR).toISOString(),
          samples: 10,
          spanMinutes: 600,
          minSpanMinutes: 30,
        };
  return { ok: true, snapshot, available, forecast };
}

const failedPoll = (code = "unavailable", message = "HeyGen answered 503"): PollOutcome => ({
  ok: false,
  error: { code, message },
});

/** One account polled on an injected clock; publishes succeed unless told otherwise. */
class Monitor {
  state: AlertState = INITIAL_ALERT_STATE;
  now = new Date("2026-05-01T00:00:00.000Z");
  readonly delivered: Alert[] = [];

  constructor(private readonly alerts: AlertsConfig = DEFAULTS) {}

  advance(hours: number): this {
    this.now = new Date(this.now.getTime() + hours * HOUR);
    return this;
  }

  poll(outcome: PollOutcome, { publishFails = false } = {}): Alert[] {
    const plan = planAlerts({
      accountId: "default",
      state: this.state,
      outcome,
      thresholds: THRESHOLDS,
      alerts: this.alerts,
      now: this.now,
    });
    this.state = plan.state;
    if (!publishFails) {
      for (const alert of plan.alerts) this.state = markSent(this.state, alert, this.now);
      this.delivered.push(...plan.alerts);
    }
    return plan.alerts;
  }

  /** Polls every `everyMinutes` for `hours` at the given available balance; returns what was planned. */
  pollFor(hours: number, available: number, everyMinutes = 5): Alert[] {
    const planned: Alert[] = [];
    for (let m = 0; m < hours * 60; m += everyMinutes) {
      this.advance(everyMinutes / 60);
      planned.push(...this.poll(goodPoll(available)));
    }
    return planned;
  }
}

const kinds = (alerts: Alert[]) => alerts.map((a) => `${a.alertType}:${a.level}`);

describe("balance levels", () => {
  it.each([
    [60, "ok"],
    [50, "ok"],
    [49.99, "warning"],
    [10, "warning"],
    [9.99, "critical"],
    [0.01, "critical"],
    [0, "exhausted"],
    [-5, "exhausted"],
  ] as const)("available %d is %s", (available, level) => {
    expect(balanceLevel(available, THRESHOLDS)).toBe(level);
  });

  it("settles worse levels at once and better ones only past the margin", () => {
    expect(settledLevel("ok", 9, THRESHOLDS, 10)).toBe("critical");
    expect(settledLevel("critical", 10.5, THRESHOLDS, 10)).toBe("critical");
    expect(settledLevel("critical", 11, THRESHOLDS, 10)).toBe("warning");
    expect(settledLevel("critical", 54, THRESHOLDS, 10)).toBe("warning");
    expect(settledLevel("critical", 55, THRESHOLDS, 10)).toBe("ok");
    expect(settledLevel("exhausted", 0.5, THRESHOLDS, 10)).toBe("critical");
    expect(settledLevel("unknown", 52, THRESHOLDS, 10)).toBe("ok");
  });
});

describe("planAlerts", () => {
  it("stays silent on the first good poll at ok and remembers ok", () => {
    const monitor = new Monitor();
    expect(monitor.poll(goodPoll(80))).toEqual([]);
    expect(monitor.state.level).toBe("ok");
  });

  it("alerts straight away when the first poll is already low", () => {
    const [alert] = new Monitor().poll(goodPoll(30));
    expect(alert).toMatchObject({ alertType: "low_balance", level: "warning", previousLevel: "unknown" });
  });

  it("sends exactly one warning across a day of polls, then one reminder after repeatHours", () => {
    const monitor = new Monitor();
    monitor.poll(goodPoll(80));
    const firstDay = monitor.pollFor(DEFAULTS.repeatHours.warning - 0.5, 40);
    expect(firstDay).toHaveLength(1);
    expect(firstDay[0]).toMatchObject({
      alertType: "low_balance",
      severity: "warning",
      level: "warning",
      previousLevel: "ok",
      accountId: "default",
      available: 40,
      unit: "credits",
    });
    expect(firstDay[0]?.subject).toBe(
      "[Quota Guard] default: HeyGen balance is low (warning level), 40.00 credits left",
    );

    const reminder = monitor.pollFor(1, 40);
    expect(kinds(reminder)).toEqual(["low_balance:warning"]);
    expect(reminder[0]?.previousLevel).toBe("warning");
    expect(reminder[0]?.subject).toContain("is still low (warning level)");
    expect(monitor.pollFor(DEFAULTS.repeatHours.warning - 1, 40)).toEqual([]);
  });

  it("escalates to critical and exhausted at once, reminding at the critical pace", () => {
    const monitor = new Monitor();
    monitor.poll(goodPoll(40));
    const critical = monitor.advance(0.1).poll(goodPoll(8));
    expect(critical).toHaveLength(1);
    expect(critical[0]).toMatchObject({ level: "critical", previousLevel: "warning", severity: "critical" });
    expect(critical[0]?.subject).toBe("[Quota Guard] default: HeyGen balance is critical, 8.00 credits left");

    const exhausted = monitor.advance(0.1).poll(goodPoll(0));
    expect(exhausted).toHaveLength(1);
    expect(exhausted[0]).toMatchObject({
      level: "exhausted",
      previousLevel: "critical",
      severity: "critical",
    });
    expect(monitor.pollFor(DEFAULTS.repeatHours.critical - 0.5, 0)).toEqual([]);
    expect(kinds(monitor.pollFor(1, 0))).toEqual(["low_balance:exhausted"]);
  });

  it("de-escalates from critical to warning only past the hysteresis margin", () => {
    const monitor = new Monitor();
    monitor.poll(goodPoll(5));
    expect(monitor.advance(1).poll(goodPoll(10.5))).toEqual([]);
    const better = monitor.advance(1).poll(goodPoll(11));
    expect(better).toHaveLength(1);
    expect(better[0]).toMatchObject({
      alertType: "low_balance",
      level: "warning",
      previousLevel: "critical",
    });
    expect(better[0]?.subject).toContain("has improved but is still low (warning level)");
  });

  it("sends one recovered alert after a top-up past the hysteresis, none just below it", () => {
    const monitor = new Monitor();
    monitor.poll(goodPoll(30));
    expect(monitor.pollFor(2, 54.99)).toEqual([]);
    expect(monitor.state.level).toBe("warning");
    const recovered = monitor.pollFor(2, 55);
    expect(recovered).toHaveLength(1);
    expect(recovered[0]).toMatchObject({
      alertType: "recovered",
      severity: "info",
      level: "ok",
      previousLevel: "warning",
    });
    expect(monitor.pollFor(48, 500)).toEqual([]);
  });

  it("turns three failed polls into one monitor_degraded and the next good poll into one monitor_recovered", () => {
    const monitor = new Monitor();
    monitor.poll(goodPoll(30));
    const failures = [1, 2, 3, 4, 5].map(() =>
      monitor.advance(0.1).poll(failedPoll("invalid_key", "rejected")),
    );
    expect(failures.map((f) => f.length)).toEqual([0, 0, 1, 0, 0]);
    expect(failures[2]?.[0]).toMatchObject({
      alertType: "monitor_degraded",
      severity: "warning",
      level: "monitor_degraded",
      previousLevel: "warning",
    });
    expect(monitor.state).toMatchObject({ level: "warning", consecutiveFailures: 5, degraded: true });
    expect(monitor.state.lastFailure).toMatchObject({ code: "invalid_key", message: "rejected" });

    const back = monitor.advance(0.1).poll(goodPoll(30));
    expect(kinds(back)).toEqual(["monitor_recovered:warning"]);
    expect(back[0]).toMatchObject({ severity: "info", previousLevel: "monitor_degraded" });
    expect(monitor.state).toMatchObject({ consecutiveFailures: 0, degraded: false });
    expect(monitor.advance(0.1).poll(goodPoll(30))).toEqual([]);
  });

  it("counts readings skipped for a rate limit with the failures, never as failures, and names the wait", () => {
    const monitor = new Monitor();
    monitor.poll(goodPoll(80));
    const until = "2026-05-02T00:00:00.000Z";
    const first = monitor.advance(0.1).poll({
      ok: false,
      error: { code: "rate_limited", message: "HTTP 429", until },
    });
    expect(first).toEqual([]);
    const skipped = [1, 2].map(() => monitor.advance(0.1).poll({ ok: false, skippedUntil: until }));
    expect(skipped.map((s) => s.length)).toEqual([0, 1]);
    expect(skipped[1]?.[0]).toMatchObject({ alertType: "monitor_degraded", rateLimitedUntil: until });
    expect(skipped[1]?.[0]?.subject).toBe(
      "[Quota Guard] default: HeyGen balance cannot be read: rate limited by HeyGen until 00:00 UTC",
    );
    expect(monitor.state).toMatchObject({
      consecutiveFailures: 1,
      skippedReadings: 2,
      degraded: true,
      level: "ok",
    });

    const back = monitor.advance(30).poll(goodPoll(80));
    expect(kinds(back)).toEqual(["monitor_recovered:ok"]);
    expect(monitor.state.skippedReadings).toBeUndefined();
  });

  it("an overdrawn balance is exhausted, with a critical 'overdrawn by' alert", () => {
    const monitor = new Monitor();
    monitor.poll(goodPoll(80));
    const [alert] = monitor.advance(0.1).poll(goodPoll(-2.35));
    expect(alert).toMatchObject({ alertType: "low_balance", level: "exhausted", severity: "critical" });
    expect(alert?.subject).toBe("[Quota Guard] default: HeyGen balance is overdrawn by 2.35 credits");
  });

  it("never changes the level on a failed poll, and a good poll in between resets the count", () => {
    const monitor = new Monitor();
    monitor.poll(goodPoll(80));
    monitor.poll(failedPoll());
    monitor.poll(failedPoll());
    monitor.poll(goodPoll(80));
    monitor.poll(failedPoll());
    expect(monitor.poll(failedPoll())).toEqual([]);
    expect(monitor.state).toMatchObject({ level: "ok", consecutiveFailures: 2, degraded: false });
  });

  it("keeps a long failure message short in the state", () => {
    const monitor = new Monitor();
    monitor.poll(failedPoll("bad_response", "x".repeat(5000)));
    expect(monitor.state.lastFailure?.message.length).toBeLessThanOrEqual(300);
  });

  it("plans an alert again at the next poll when its publish failed", () => {
    const monitor = new Monitor();
    monitor.poll(goodPoll(80));
    const first = monitor.advance(0.1).poll(goodPoll(8), { publishFails: true });
    expect(kinds(first)).toEqual(["low_balance:critical"]);
    expect(monitor.state.level).toBe("ok");
    const again = monitor.advance(0.1).poll(goodPoll(8));
    expect(kinds(again)).toEqual(["low_balance:critical"]);
    expect(again[0]?.previousLevel).toBe("ok");
    expect(monitor.advance(0.1).poll(goodPoll(8))).toEqual([]);
  });

  it("plans monitor_degraded again when its publish failed", () => {
    const monitor = new Monitor();
    for (let i = 0; i < DEFAULTS.degradedAfterFailures; i++)
      monitor.poll(failedPoll(), { publishFails: true });
    expect(kinds(monitor.poll(failedPoll()))).toEqual(["monitor_degraded:monitor_degraded"]);
  });

  describe("forecast alerts", () => {
    it("alerts once while the forecast stays within the horizon and re-arms once it clears", () => {
      const monitor = new Monitor();
      monitor.poll(goodPoll(400));
      const soon = monitor.advance(0.1).poll(goodPoll(400, 48));
      expect(soon).toHaveLength(1);
      expect(soon[0]).toMatchObject({
        alertType: "forecast",
        severity: "warning",
        level: "forecast",
        hoursToExhaustion: 48,
      });
      expect(soon[0]?.subject).toContain("runs out in about 2 days");
      expect(monitor.advance(1).poll(goodPoll(400, 47))).toEqual([]);
      // Just outside the horizon but inside its margin: still the same episode.
      expect(monitor.advance(1).poll(goodPoll(400, 75))).toEqual([]);
      expect(monitor.advance(1).poll(goodPoll(400, 60))).toEqual([]);
      // Too little data says nothing new either.
      expect(monitor.advance(1).poll(goodPoll(400, null))).toEqual([]);
      expect(monitor.advance(1).poll(goodPoll(400, 60))).toEqual([]);
      monitor.advance(1).poll(goodPoll(400, 200));
      expect(kinds(monitor.advance(1).poll(goodPoll(400, 30)))).toEqual(["forecast:forecast"]);
    });

    it("sends none with forecastHorizonHours 0", () => {
      const monitor = new Monitor({ ...DEFAULTS, forecastHorizonHours: 0 });
      monitor.poll(goodPoll(400));
      expect(monitor.advance(1).poll(goodPoll(400, 0.5))).toEqual([]);
    });

    it("sends none at critical, whose own alert already says so", () => {
      const monitor = new Monitor();
      monitor.poll(goodPoll(5));
      expect(monitor.advance(1).poll(goodPoll(5, 2))).toEqual([]);
    });
  });

  it("markSent refuses a balance alert without a balance level", () => {
    const [alert] = new Monitor().poll(goodPoll(30));
    if (!alert) throw new Error("expected an alert");
    expect(() => markSent(INITIAL_ALERT_STATE, { ...alert, level: "forecast" }, new Date())).toThrow(/level/);
  });
});

describe("planAlerts properties", () => {
  const steps = (available: fc.Arbitrary<number>) =>
    fc.array(fc.record({ minutes: fc.integer({ min: 1, max: 180 }), available }), {
      minLength: 1,
      maxLength: 200,
    });

  it("at a steady level, sends one alert plus at most one reminder per repeatHours", () => {
    const warningBand = fc.double({ min: 11, max: 49.99, noNaN: true });
    fc.assert(
      fc.property(steps(warningBand), (polls) => {
        const monitor = new Monitor();
        let sent = 0;
        for (const { minutes, available } of polls)
          sent += monitor.advance(minutes / 60).poll(goodPoll(available)).length;
        const hours = polls.reduce((sum, p) => sum + p.minutes, 0) / 60;
        expect(sent).toBeGreaterThanOrEqual(1);
        expect(sent).toBeLessThanOrEqual(1 + Math.floor(hours / DEFAULTS.repeatHours.warning));
      }),
    );
  });

  type Step = {
    minutes: number;
    available: number;
    hours: number | null;
    fails: boolean;
    publishFails: boolean;
  };
  const anyPolls = fc.array(
    fc.record({
      minutes: fc.integer({ min: 0, max: 600 }),
      available: fc.double({ min: -20, max: 120, noNaN: true }),
      hours: fc.option(fc.double({ min: 0, max: 200, noNaN: true })),
      fails: fc.boolean(),
      publishFails: fc.boolean(),
    }),
    { maxLength: 120 },
  );

  it("never repeats itself: re-planning a poll just sent plans nothing, reminders keep their pace", () => {
    fc.assert(
      fc.property(anyPolls, (polls: Step[]) => {
        const monitor = new Monitor();
        for (const step of polls) {
          monitor.advance(step.minutes / 60);
          const outcome = step.fails ? failedPoll() : goodPoll(step.available, step.hours, monitor.now);
          monitor.poll(outcome, { publishFails: step.publishFails });
          if (outcome.ok && !step.publishFails) expect(monitor.poll(outcome)).toEqual([]);
        }
        assertRemindersPaced(monitor.delivered);
      }),
    );
  });
});

/** Two deliveries of the same balance level with nothing else in between are at least repeatHours apart. */
function assertRemindersPaced(delivered: Alert[]) {
  const balanceAlerts = delivered.filter((a) => a.alertType === "low_balance" || a.alertType === "recovered");
  for (let i = 1; i < balanceAlerts.length; i++) {
    const before = balanceAlerts[i - 1];
    const after = balanceAlerts[i];
    if (!before || !after || before.level !== after.level) continue;
    const repeat = before.level === "warning" ? DEFAULTS.repeatHours.warning : DEFAULTS.repeatHours.critical;
    const gapHours = (Date.parse(after.createdAt) - Date.parse(before.createdAt)) / HOUR;
    expect(gapHours).toBeGreaterThanOrEqual(repeat);
  }
}
