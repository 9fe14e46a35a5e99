import { describe, expect, it } from "vitest";
import { INITIAL_ALERT_STATE } from "#core/account";
import type { BalanceSnapshot } from "#core/balance";
import { cardAccuracy } from "#core/estimate-drift";
import { reconcile } from "#core/reconciliation";
import { spendAlertSummary } from "#core/spend-alert-text";
import { planSpendAlerts } from "#core/spend-alerts";
import type { SpendEntry } from "#core/spend-ledger";
import { composeMessage } from "#notify/message";
import { CustomNotificationSchema } from "#test/support/custom-notification";

/** The spend alerts' texts: subject, SMS, email and chat card, as subscribers get them. */

const T0 = Date.parse("2026-06-01T00:00:00.000Z");
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
const snapshot = (minutes: number, remaining: number): BalanceSnapshot => ({
  accountId: "marketing-eu",
  observedAt: at(minutes),
  source: "v3",
  billingType: "wallet",
  unit: "usd",
  remaining,
  pools: [{ name: "wallet", remaining, unit: "usd" }],
});
const entry = (minutes: number, fields: Partial<SpendEntry> = {}): SpendEntry => ({
  at: at(minutes),
  accountId: "marketing-eu",
  reservationId: `marketing-eu_${minutes}`,
  seq: 2,
  amount: 5,
  unit: "usd",
  final: true,
  commitBasis: "event-duration",
  rateCard: "heygen-payg-2026-05",
  jobType: "avatar_video",
  engine: "avatar_iv",
  estimatedAmount: 4,
  actualAmount: 5,
  ...fields,
});

const entries = Array.from({ length: 20 }, (_, i) => entry(i + 1, { amount: 0.5 }));
const plan = planSpendAlerts({
  accountId: "marketing-eu",
  state: INITIAL_ALERT_STATE,
  reconciliation: reconcile({
    snapshots: [snapshot(0, 100), snapshot(30, 80)],
    entries,
    from: new Date(at(0)),
    to: new Date(at(31)),
    settleSeconds: 60,
  }),
  cards: cardAccuracy(entries),
  rules: {
    unexplainedSpend: { enabled: true, percentOfStartBalance: 5, minimum: 1 },
    estimateDrift: { enabled: true, ratio: 1.1, minJobs: 20 },
    repeatHours: { warning: 24 },
    hysteresisPercent: 10,
  },
  reading: { level: "ok", remaining: 80, available: 80, unit: "usd" },
  now: new Date(at(30)),
});

function texts(alertType: string) {
  const alert = plan.alerts.find((a) => a.alertType === alertType);
  if (!alert) throw new Error(`no ${alertType} alert planned`);
  // As the poll delivers it: with the alert's own texts in the context (service/spend-alerts.ts summaryOf).
  const summary = spendAlertSummary(alert);
  const message = composeMessage(alert, {
    thresholds: { warning: 50, critical: 10 },
    ...(summary ? { summary } : {}),
  });
  const texts = JSON.parse(message.message) as { sms: string; email: string; https: string };
  return { subject: message.subject, ...texts };
}

describe("spend alert texts", () => {
  it("unexplained_spend names the amount and lists the likely causes", () => {
    const t = texts("unexplained_spend");
    expect(t.subject).toBe(
      "[Quota Guard] marketing-eu: HeyGen balance fell $10.00 more than Quota Guard committed in 24 h",
    );
    expect(t.sms.length).toBeLessThanOrEqual(140);
    expect(t.sms).toContain("fell $10.00 more");
    for (const cause of ["web app", "Another API key", "directly without reserving", "under-price"]) {
      expect(t.email).toContain(cause);
    }
    expect(t.email).toContain(
      "Unexplained: $10.00, over the threshold of $5.00 (of a $100.00 start balance)",
    );
    expect(t.email).toContain("/v1/accounts/marketing-eu/reconciliation");
    expect(() => CustomNotificationSchema.parse(JSON.parse(t.https))).not.toThrow();
  });

  it("estimate_drift names the card, the job and how far off it is", () => {
    const t = texts("estimate_drift");
    expect(t.subject).toBe(
      "[Quota Guard] marketing-eu: rate card heygen-payg-2026-05 under-estimates avatar_video by 25%",
    );
    expect(t.subject.length).toBeLessThanOrEqual(99);
    expect(t.sms.length).toBeLessThanOrEqual(140);
    expect(t.email).toContain('Rate card "heygen-payg-2026-05" of account "marketing-eu" under-estimates');
    expect(t.email).toContain("Ratio:      1.25 (actual / estimated; alerts above 1.1)");
    expect(t.email).toContain("GET /v1/rate-cards/accuracy");
  });
});
