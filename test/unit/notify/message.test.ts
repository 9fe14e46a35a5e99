import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Alert, AlertType } from "#core/account";
import { alertSubject } from "#core/alert-text";
import type { BalanceSnapshot } from "#core/balance";
import type { Forecast } from "#core/forecast";
import { composeMessage } from "#notify/message";
import type { MessageContext } from "#service/services";
import { CustomNotificationSchema } from "#test/support/custom-notification";

const CREATED_AT = "2026-05-01T12:00:00.000Z";
const THRESHOLDS = { warning: 50, critical: 10 };

function alert(fields: Partial<Alert> & Pick<Alert, "alertType" | "level" | "previousLevel">): Alert {
  const base = {
    accountId: "default",
    severity: "critical" as const,
    createdAt: CREATED_AT,
    remaining: 10.4,
    available: 8.4,
    unit: "credits" as const,
    hoursToExhaustion: 4,
    ...fields,
  };
  return { ...base, subject: alertSubject(base) };
}

const subscription: BalanceSnapshot = {
  accountId: "default",
  observedAt: CREATED_AT,
  source: "v3",
  billingType: "subscription",
  plan: "pro",
  unit: "credits",
  remaining: 10.4,
  pools: [
    { name: "premium_credits", remaining: 8.4, unit: "credits", resetsAt: "2026-06-01T00:00:00.000Z" },
    { name: "add_on_credits", remaining: 2, unit: "credits", resetsAt: "2026-07-15T00:00:00.000Z" },
  ],
};

const wallet: BalanceSnapshot = {
  accountId: "default",
  observedAt: CREATED_AT,
  source: "v3",
  billingType: "wallet",
  unit: "usd",
  remaining: 12.34,
  pools: [{ name: "wallet", remaining: 12.34, unit: "usd" }],
  autoReload: { enabled: false },
};

const burning: Forecast = {
  burnRatePerHour: 2.1,
  hoursToExhaustion: 4,
  exhaustsAt: "2026-05-01T16:00:00.000Z",
  samples: 12,
  spanMinutes: 120,
  minSpanMinutes: 30,
};

interface Texts {
  default: string;
  email: string;
  sms: string;
  https: string;
}

function compose(a: Alert, context: Partial<MessageContext> = {}) {
  const composed = composeMessage(a, { thresholds: THRESHOLDS, ...context });
  return { ...composed, texts: JSON.parse(composed.message) as Texts };
}

const critical = alert({ alertType: "low_balance", level: "critical", previousLevel: "warning" });
const degraded = alert({
  alertType: "monitor_degraded",
  level: "monitor_degraded",
  previousLevel: "warning",
  severity: "warning",
  available: undefined,
  remaining: undefined,
  hoursToExhaustion: undefined,
});
const failure = { code: "invalid_key", message: "HeyGen rejected the key (401)", at: CREATED_AT };

describe("composeMessage", () => {
  it("builds a JSON document with exactly default, email, sms and https texts", () => {
    const { texts } = compose(critical, { snapshot: subscription, forecast: burning });
    expect(Object.keys(texts).sort()).toEqual(["default", "email", "https", "sms"]);
    for (const text of Object.values(texts)) expect(text).toEqual(expect.any(String));
  });

  it("carries severity, alertType and accountId as String attributes for subscription filters", () => {
    const { attributes, subject } = compose(critical);
    expect(attributes).toEqual({
      severity: { DataType: "String", StringValue: "critical" },
      alertType: { DataType: "String", StringValue: "low_balance" },
      accountId: { DataType: "String", StringValue: "default" },
    });
    expect(subject).toBe("[Quota Guard] default: HeyGen balance is critical, 8.40 credits left");
  });

  it("writes an email a person can act on: level, amounts, pools with reset dates, forecast, action", () => {
    const { texts } = compose(critical, { snapshot: subscription, forecast: burning, reserved: 2 });
    const email = texts.email;
    expect(email).toContain('account "default"');
    expect(email).toContain("Level: critical (was warning)");
    expect(email).toContain("Available:  8.40 credits");
    expect(email).toContain("Remaining:  10.40 credits");
    expect(email).toContain("Reserved:   2.00 credits");
    expect(email).toContain("warning below 50.00 credits, critical below 10.00 credits");
    expect(email).toContain("premium_credits: 8.40 credits, resets at 2026-06-01 00:00 UTC");
    expect(email).toContain("add_on_credits: 2.00 credits, resets at 2026-07-15 00:00 UTC");
    expect(email).toContain("Burn rate: 2.10 credits per hour");
    expect(email).toContain("runs out in about 4 hours, around 2026-05-01 16:00 UTC");
    expect(email).toMatch(
      /Upgrade the HeyGen plan \(now: pro\) or buy add-on credits, or wait for the credits to reset at 2026-06-01 00:00 UTC/,
    );
    expect(email).toContain("release the holds no job will use");
    expect(email).not.toMatch(/[{}]/);
  });

  it("writes usd as dollars and tells a wallet owner to top up or enable auto-reload", () => {
    const low = alert({
      alertType: "low_balance",
      level: "warning",
      previousLevel: "ok",
      severity: "warning",
      unit: "usd",
      remaining: 12.34,
      available: 12.34,
    });
    const { subject, texts } = compose(low, { snapshot: wallet, thresholds: { warning: 20, critical: 5 } });
    expect(subject).toBe("[Quota Guard] default: HeyGen balance is low (warning level), $12.34 left");
    expect(texts.email).toContain("Available:  $12.34");
    expect(texts.email).toContain("warning below $20.00, critical below $5.00");
    expect(texts.email).toContain("Top up the HeyGen wallet now, or turn on auto-reload");
    expect(texts.sms).toContain("Top up or enable auto-reload.");

    const reloading = { ...wallet, autoReload: { enabled: true, thresholdUsd: 10, amountUsd: 50 } };
    expect(compose(low, { snapshot: reloading }).texts.email).toContain(
      "Auto-reload is on (a reload of $50.00 below $10.00)",
    );
  });

  it("says what an exhausted balance means for jobs", () => {
    const exhausted = alert({
      alertType: "low_balance",
      level: "exhausted",
      previousLevel: "critical",
      available: 0,
    });
    const { texts } = compose(exhausted, { snapshot: { ...subscription, remaining: 0 } });
    expect(texts.email).toContain("MOVIO_PAYMENT_INSUFFICIENT_CREDIT");
  });

  it("describes a forecast capped by a reset in words", () => {
    const capped: Forecast = {
      ...burning,
      hoursToExhaustion: null,
      exhaustsAt: null,
      cappedByResetAt: "2026-06-01T00:00:00.000Z",
    };
    const { texts } = compose(critical, { snapshot: subscription, forecast: capped });
    expect(texts.email).toContain("lasts until the next reset at 2026-06-01 00:00 UTC");
  });

  it("describes a forecast capped by auto-reload, and a missed reload, in words", () => {
    const capped: Forecast = {
      ...burning,
      hoursToExhaustion: null,
      exhaustsAt: null,
      cappedByAutoReloadAt: "2026-06-01T06:00:00.000Z",
    };
    expect(compose(critical, { snapshot: wallet, forecast: capped }).texts.email).toContain(
      "auto-reload is due around 2026-06-01 06:00 UTC, before the balance runs out",
    );
    const missed = alert({ alertType: "auto_reload_missed", level: "ok", previousLevel: "ok", unit: "usd" });
    const { subject, texts } = compose(missed, { snapshot: wallet });
    expect(subject).toBe(
      "[Quota Guard] default: HeyGen balance is below its reload threshold: auto-reload did not happen",
    );
    expect(texts.email).toContain("payment may have been declined");
    expect(texts.sms).toContain("Check auto-reload's payment.");
  });

  it("says what a forecast waits for: minutes of readings, not a number of them", () => {
    const young: Forecast = {
      burnRatePerHour: null,
      hoursToExhaustion: null,
      exhaustsAt: null,
      samples: 24,
      spanMinutes: 12.5,
      minSpanMinutes: 30,
    };
    const { email } = compose(critical, { forecast: young }).texts;
    expect(email).toContain(
      "No forecast yet: a burn rate needs 30 min of readings; 12 min so far (24 readings).",
    );
  });

  it("sends a person to the API key when the monitor cannot read the balance for invalid_key", () => {
    const { subject, texts } = compose(degraded, { failure, snapshot: subscription });
    expect(subject).toBe("[Quota Guard] default: HeyGen balance cannot be read");
    expect(texts.email).toContain("Last known balance");
    expect(texts.email).toContain("invalid_key - HeyGen rejected the key (401)");
    expect(texts.email).toContain("put a valid key in this account's secret");
    expect(texts.sms).toContain("Check the API key.");
  });

  it.each([
    ["recovered", "ok", "warning"],
    ["monitor_recovered", "ok", "monitor_degraded"],
  ] as const)("tells %s readers that nothing needs doing", (alertType, level, previousLevel) => {
    const good = alert({ alertType, level, previousLevel, severity: "info", available: 80 });
    expect(compose(good).texts.email).toContain("No action needed.");
  });

  it("advises on the level a monitor_recovered alert finds, not 'No action needed' while still critical", () => {
    const back = alert({
      alertType: "monitor_recovered",
      level: "critical",
      previousLevel: "monitor_degraded",
      severity: "info",
      unit: "usd",
      available: 8,
      remaining: 8,
    });
    const { texts } = compose(back, { snapshot: { ...wallet, remaining: 8 } });
    expect(texts.email).not.toContain("No action needed");
    expect(texts.email).toContain("Top up the HeyGen wallet now");
    expect(texts.sms).toContain("Top up or enable auto-reload.");
    expect(texts.email).toContain("Monitor: readings resumed; balance level critical.");
  });

  it("opens every text with a sentence, the account named once, and words a negative amount", () => {
    const overdrawn = alert({
      alertType: "low_balance",
      level: "exhausted",
      previousLevel: "ok",
      unit: "usd",
      remaining: -2.35,
      available: -2.35,
    });
    const over = compose(overdrawn, { snapshot: { ...wallet, remaining: -2.35 } });
    expect(over.subject).toBe("[Quota Guard] default: HeyGen balance is overdrawn by $2.35");
    expect(over.texts.email.split("\n")[0]).toBe(
      'The HeyGen balance of account "default" is overdrawn by $2.35.',
    );
    expect(over.texts.sms).toMatch(
      /^Quota Guard default: HeyGen balance is overdrawn by \$2\.35\. Top up now\.$/,
    );

    // Holds beyond a positive balance: what is left is negative, said in words, never "- -$885.00 left".
    const held = alert({
      alertType: "low_balance",
      level: "exhausted",
      previousLevel: "ok",
      unit: "usd",
      remaining: 120,
      available: -885,
    });
    const texts = compose(held, { snapshot: { ...wallet, remaining: 120 } });
    expect(texts.subject).toBe("[Quota Guard] default: HeyGen balance is exhausted, overdrawn by $885.00");
    expect(texts.texts.email.split("\n")[0]).toBe(
      'The HeyGen balance of account "default" is exhausted: overdrawn by $885.00.',
    );
    for (const text of [texts.subject, texts.texts.email, texts.texts.sms, texts.texts.default]) {
      expect(text).not.toMatch(/- -|-\s*-\$|\$-/);
    }
    expect(compose(critical).texts.email.split("\n")[0]).toBe(
      'The HeyGen balance of account "default" is critical: 8.40 credits left.',
    );
  });

  it("keeps the subject under 100 and the SMS within 140 characters for long ids and huge numbers", () => {
    const types: [AlertType, Alert["level"], Alert["previousLevel"]][] = [
      ["low_balance", "critical", "warning"],
      ["low_balance", "warning", "warning"],
      ["low_balance", "warning", "critical"],
      ["recovered", "ok", "exhausted"],
      ["forecast", "forecast", "ok"],
      ["monitor_degraded", "monitor_degraded", "unknown"],
      ["monitor_recovered", "ok", "monitor_degraded"],
      ["auto_reload_missed", "ok", "ok"],
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...types),
        fc.stringMatching(/^[a-z0-9-]{1,40}$/),
        fc.double({ min: -1e20, max: 1e20, noNaN: true }),
        fc.constantFrom("usd" as const, "credits" as const),
        fc.option(fc.double({ min: 0, max: 1e12, noNaN: true })),
        ([alertType, level, previousLevel], accountId, amount, unit, hours) => {
          const a = alert({
            alertType,
            level,
            previousLevel,
            accountId,
            available: amount,
            remaining: amount,
            unit,
            hoursToExhaustion: hours,
          });
          const { subject, texts } = compose(a, {
            snapshot: { ...subscription, accountId, unit, remaining: 0 },
          });
          expect(subject.length).toBeLessThan(100);
          expect(subject).not.toMatch(/[\r\n]/);
          expect(texts.sms.length).toBeLessThanOrEqual(140);
          expect(texts.sms).toContain(accountId);
        },
      ),
    );
  });

  it("drops detail from the SMS rather than cutting the headline short", () => {
    const longId = "a".repeat(40);
    const huge = alert({
      alertType: "low_balance",
      level: "critical",
      previousLevel: "warning",
      accountId: longId,
      available: 123_456_789_012_345,
    });
    const { texts, subject } = compose(huge, { snapshot: subscription });
    expect(texts.sms.startsWith(`Quota Guard ${longId}: HeyGen balance is critical`)).toBe(true);
    expect(texts.sms.length).toBeLessThanOrEqual(140);
    expect(subject).toContain("HeyGen balance is critical");
  });
});

describe("the https message: an Amazon Q Developer custom notification (chat card)", () => {
  const cases: [string, Alert, Partial<MessageContext>][] = [
    ["critical", critical, { snapshot: subscription, forecast: burning, reserved: 2 }],
    [
      "exhausted wallet",
      alert({ alertType: "low_balance", level: "exhausted", previousLevel: "critical", unit: "usd" }),
      { snapshot: wallet },
    ],
    [
      "forecast",
      alert({ alertType: "forecast", level: "forecast", previousLevel: "ok" }),
      { forecast: burning },
    ],
    [
      "recovered",
      alert({ alertType: "recovered", level: "ok", previousLevel: "warning", severity: "info" }),
      {},
    ],
    ["monitor degraded", degraded, { failure, snapshot: subscription }],
  ];

  function cardOf(a: Alert, context: Partial<MessageContext>) {
    const { texts } = compose(a, context);
    return { texts, card: CustomNotificationSchema.parse(JSON.parse(texts.https)) };
  }

  it.each(cases)("validates against the documented shape (%s)", (_name, a, context) => {
    const { card } = cardOf(a, context);
    expect(card).toMatchObject({
      version: "1.0",
      source: "custom",
      content: { textType: "client-markdown" },
    });
    expect(card.content.keywords).toEqual(expect.arrayContaining([a.accountId, a.severity]));
  });

  it.each(cases)("tells the same facts and advice as the email (%s)", (_name, a, context) => {
    const { texts, card } = cardOf(a, context);
    const email = texts.email.split("\n\n").map((section) => section.split("\n"));
    const indented = (lines: string[]) => lines.filter((l) => l.startsWith("  ")).map((l) => l.trim());
    const todo = email.find(([title]) => title === "What to do now") ?? [];
    const facts = email.filter((section) => section !== todo).flatMap(indented);
    expect(facts.length).toBeGreaterThan(0);
    for (const line of facts) expect(card.content.description).toContain(line.replace(/^- /, ""));
    expect(card.content.nextSteps).toEqual(indented(todo).map((step) => step.replace(/^- /, "")));
    expect(card.content.title).toContain(email[0]?.[0]);
  });

  it("names the failure and sends a person to the key when the monitor cannot read the balance", () => {
    const { card } = cardOf(degraded, { failure, snapshot: subscription });
    expect(card.content.description).toContain("invalid_key - HeyGen rejected the key (401)");
    expect(card.content.nextSteps?.[0]).toContain("put a valid key in this account's secret");
  });

  it("marks a test alert in every text, the card's title and keywords included", () => {
    const { texts, card } = cardOf({ ...critical, test: true }, { snapshot: subscription });
    expect(card.content.title).toMatch(/^TEST - /);
    expect(card.content.keywords).toContain("test");
    expect(card.content.description).toContain("TEST ALERT");
    expect(texts.email.startsWith("TEST ALERT")).toBe(true);
    expect(texts.default.startsWith("TEST ALERT")).toBe(true);
    expect(texts.sms.startsWith("Quota Guard TEST default:")).toBe(true);
    expect(texts.email).toContain("Level: critical (unchanged by this test).");
    expect(texts.email).not.toContain("reminder");
    const plain = compose(critical, { snapshot: subscription }).texts;
    for (const text of [plain.email, plain.sms, plain.default, plain.https]) expect(text).not.toMatch(/TEST/);
  });
});

describe("a plan-credit account (spendPool plan_credit, field case G8)", () => {
  it("says which pool the balance is, and lists the API pool apart, not as this account's balance", () => {
    const plan: BalanceSnapshot = {
      accountId: "default",
      observedAt: CREATED_AT,
      source: "v2",
      billingType: "legacy_quota",
      unit: "credits",
      remaining: 8,
      spendPool: "plan_credit",
      pools: [{ name: "plan_credit", remaining: 8, unit: "credits" }],
      otherPools: [{ name: "api", remaining: 1.05, unit: "credits", kind: "not_spent" }],
    };
    const { email } = compose(critical, { snapshot: plan }).texts;
    expect(email).toContain("Pool:       plan credits (spendPool plan_credit)");
    expect(email).toContain("- plan_credit: 8.00 credits");
    expect(email).toContain("Upgrade the HeyGen web plan or buy more plan credits");
    expect(email).not.toContain("API credits");
    expect(email).toMatch(/- api: 1\.05 credits \(not the pool this account's spendPool guards\)/);
  });
});
