import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseConfig } from "#config/config";
import { type Alert, type AlertState, INITIAL_ALERT_STATE } from "#core/account";
import { markSent, type PollOutcome, planAlerts } from "#core/alert-policy";
import type { BalanceSnapshot } from "#core/balance";
import { forecast } from "#core/forecast";
import { type SnsLocal, startSnsLocal } from "#local/sns-local";
import { NotificationError, SnsNotifier } from "#notify/sns-notifier";

const THRESHOLDS = { warning: 50, critical: 10 };
const ALERTS = parseConfig({}).alerts;

function subscriptionSnapshot(remaining: number, observedAt: Date): BalanceSnapshot {
  return {
    accountId: "team-a",
    observedAt: observedAt.toISOString(),
    source: "v3",
    billingType: "subscription",
    plan: "pro",
    unit: "credits",
    remaining,
    pools: [{ name: "premium_credits", remaining, unit: "credits", resetsAt: "2026-06-01T00:00:00.000Z" }],
  };
}

/** fauxqs hands the JSON document to the queue as published (real SNS would pick a protocol's text). */
function texts(message: string): { default: string; email: string; sms: string } {
  return JSON.parse(message) as { default: string; email: string; sms: string };
}

describe("SnsNotifier through the embedded SNS (fauxqs)", () => {
  let sns: SnsLocal;
  beforeAll(async () => {
    sns = await startSnsLocal();
  });
  afterAll(async () => {
    await sns?.stop();
  });
  beforeEach(async () => {
    await sns.drain();
  });

  it("delivers subject, filter attributes and the email/default texts", async () => {
    const now = new Date("2026-05-01T12:00:00.000Z");
    const history = [
      subscriptionSnapshot(28, new Date(now.getTime() - 4 * 3_600_000)),
      subscriptionSnapshot(8, now),
    ];
    const latest = history[1] as BalanceSnapshot;
    const outcome: PollOutcome = {
      ok: true,
      snapshot: latest,
      available: 8,
      forecast: forecast(history, { now, available: 8 }),
    };
    const plan = planAlerts({
      accountId: "team-a",
      state: { ...INITIAL_ALERT_STATE, level: "warning", levelNotifiedAt: now.toISOString() },
      outcome,
      thresholds: THRESHOLDS,
      alerts: ALERTS,
      now,
    });
    const [alert] = plan.alerts;
    if (!alert) throw new Error("expected a critical alert");

    const { messageId } = await new SnsNotifier(sns.sns, sns.topicArn).publish(alert, {
      snapshot: latest,
      forecast: outcome.forecast,
      thresholds: THRESHOLDS,
      reserved: 0,
    });

    expect(messageId).toEqual(expect.any(String));
    const delivered = await sns.drain(1);
    expect(delivered).toHaveLength(1);
    const [notification] = delivered;
    expect(notification?.subject).toBe("[Quota Guard] team-a: HeyGen balance is critical, 8.00 credits left");
    expect(notification?.attributes).toEqual({
      severity: "critical",
      alertType: "low_balance",
      accountId: "team-a",
    });
    const { email, default: plain, sms } = texts(notification?.message ?? "{}");
    expect(email).toContain("Level: critical (was warning)");
    expect(email).toContain("premium_credits: 8.00 credits, resets at 2026-06-01 00:00 UTC");
    expect(email).toContain("Burn rate: 5.00 credits per hour");
    expect(email).toContain("runs out in about 1.6 hours");
    expect(email).toContain("wait for the credits to reset at 2026-06-01 00:00 UTC");
    expect(plain).toContain('The HeyGen balance of account "team-a" is critical');
    expect(sms.length).toBeLessThanOrEqual(140);
  });

  it("throws on a rejected publish, and the unsent alert reaches subscribers at the next poll", async () => {
    const broken = new SnsNotifier(sns.sns, `${sns.topicArn}-missing`);
    const working = new SnsNotifier(sns.sns, sns.topicArn);
    let state: AlertState = INITIAL_ALERT_STATE;
    let now = new Date("2026-05-01T00:00:00.000Z");

    const poll = async (notifier: SnsNotifier): Promise<Alert[]> => {
      const snapshot = subscriptionSnapshot(30, now);
      const outcome: PollOutcome = {
        ok: true,
        snapshot,
        available: 30,
        forecast: forecast([snapshot], { now, available: 30 }),
      };
      const plan = planAlerts({
        accountId: "team-a",
        state,
        outcome,
        thresholds: THRESHOLDS,
        alerts: ALERTS,
        now,
      });
      state = plan.state;
      for (const alert of plan.alerts) {
        await notifier.publish(alert, { snapshot, thresholds: THRESHOLDS });
        state = markSent(state, alert, now);
      }
      now = new Date(now.getTime() + 5 * 60_000);
      return plan.alerts;
    };

    await expect(poll(broken)).rejects.toThrow(NotificationError);
    expect(await sns.drain(0)).toEqual([]);
    expect(state.level).toBe("unknown");

    await poll(working);
    await poll(working);
    await poll(working);
    const delivered = await sns.drain(1);
    expect(delivered.map((d) => d.subject)).toEqual([
      "[Quota Guard] team-a: HeyGen balance is low (warning level), 30.00 credits left",
    ]);
    expect(delivered[0]?.attributes.severity).toBe("warning");
  });
});
