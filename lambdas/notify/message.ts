import type { Alert } from "#core/account";
import {
  alertHeadline,
  alertOpening,
  fitText,
  forecastWait,
  formatAmount,
  formatHours,
  formatTime,
  MAX_SMS_LENGTH,
  MAX_SUBJECT_LENGTH,
  truncate,
} from "#core/alert-text";
import type { BalanceSnapshot, Unit } from "#core/balance";
import type { Forecast } from "#core/forecast";
import type { MessageContext } from "#service/services";
import { type Advice, adviceFor } from "./advice.ts";
import { chatNotification, type FactSection } from "./chat-card.ts";

/**
 * One alert as an SNS publish (docs/alerts.md): a subject, a `MessageStructure: json` document with a text per
 * protocol (`email` in full, `sms` within 140 characters, `default` for everything else) and the
 * attributes subscribers filter on. Pure: the notifier only sends what this returns.
 */

export type StringAttribute = { DataType: "String"; StringValue: string };

export interface SnsMessage {
  subject: string;
  /**
   * JSON with `default`, `email`, `sms` and `https` (an Amazon Q Developer custom notification, which chat
   * channels render as a card), for `MessageStructure: "json"`.
   */
  message: string;
  attributes: { severity: StringAttribute; alertType: StringAttribute; accountId: StringAttribute };
}

export function composeMessage(alert: Alert, context: MessageContext): SnsMessage {
  const own = context.summary;
  const advice = own?.steps && own.short ? { steps: own.steps, short: own.short } : adviceFor(alert, context);
  const body = { default: defaultText(alert, context, advice), email: emailText(alert, context, advice) };
  const card = chatNotification(alert, {
    summary: [opening(alert), ...testNote(alert), levelLine(alert)],
    sections: alertSections(alert, context),
    steps: advice.steps,
  });
  return {
    subject: truncate(singleLine(alert.subject), MAX_SUBJECT_LENGTH),
    message: JSON.stringify({
      ...body,
      sms: own?.sms ?? smsText(alert, advice),
      https: JSON.stringify(card),
    }),
    attributes: {
      severity: stringAttribute(alert.severity),
      alertType: stringAttribute(alert.alertType),
      accountId: stringAttribute(alert.accountId),
    },
  };
}

/** A test alert says so first in every text, so nobody acts on it. */
function testNote(alert: Alert): string[] {
  return alert.test
    ? [
        "TEST ALERT, sent on request (POST /v1/accounts/{id}/test-alert) to show the formats: the figures are " +
          "the account's real ones, but nothing changed and the alert level stays as it was.",
      ]
    : [];
}

function stringAttribute(value: string): StringAttribute {
  return { DataType: "String", StringValue: value };
}

/** SNS subjects allow no line breaks or control characters. */
function singleLine(text: string): string {
  return text.replace(/\p{Cc}+/gu, " ");
}

function smsText(alert: Alert, advice: Advice): string {
  const { main, detail } = alertHeadline(alert);
  return fitText(
    `Quota Guard ${alert.test ? "TEST " : ""}${alert.accountId}: ${main}`,
    [detail && `, ${detail}`, `. ${advice.short}`],
    MAX_SMS_LENGTH,
  );
}

function defaultText(alert: Alert, context: MessageContext, advice: Advice): string {
  const lines = [
    ...testNote(alert),
    opening(alert),
    ...amountLines(alert, context).slice(0, 2),
    ...forecastLines(context.forecast, unitOf(alert, context)).slice(-1),
    `What to do: ${advice.steps[0] ?? advice.short}`,
  ];
  return lines.join("\n");
}

function emailText(alert: Alert, context: MessageContext, advice: Advice): string {
  const sections = [
    testNote(alert),
    [opening(alert), levelLine(alert)],
    ...alertSections(alert, context).map((s) => section(s.title, s.lines)),
    section(
      "What to do now",
      advice.steps.map((step) => `- ${step}`),
    ),
    [
      `Sent by HeyGen Quota Guard at ${formatTime(alert.createdAt)} (${alert.alertType}, severity ${alert.severity}).`,
    ],
  ];
  return sections
    .filter((lines) => lines.length > 0)
    .map((lines) => lines.join("\n"))
    .join("\n\n");
}

/**
 * The facts of an alert, section by section (empty ones left out): the email prints them as text and the
 * chat card (chat-card.ts) as markdown, so both always tell the same.
 */
export function alertSections(alert: Alert, context: MessageContext): FactSection[] {
  const sections: FactSection[] = [
    ...(context.summary?.sections ?? []),
    {
      title: alert.alertType === "monitor_degraded" ? "Last known balance" : "Balance",
      lines: balanceLines(alert, context),
    },
    { title: "Budget", lines: budgetLines(alert) },
    { title: "Pools", lines: poolLines(context.snapshot) },
    { title: "Usage and forecast", lines: forecastLines(context.forecast, unitOf(alert, context)) },
    { title: "Forced commit", lines: forcedLines(alert, unitOf(alert, context)) },
    {
      title: "Why the balance could not be read",
      lines: alert.alertType === "monitor_degraded" ? failureLines(context.failure) : [],
    },
  ];
  return sections.filter((s) => s.lines.length > 0);
}

function section(title: string, lines: string[]): string[] {
  return lines.length === 0 ? [] : [title, ...lines.map((line) => `  ${line}`)];
}

function opening(alert: Alert): string {
  return alertOpening(alert);
}

function levelLine(alert: Alert): string {
  if (alert.test) return `Level: ${alert.level} (unchanged by this test).`;
  switch (alert.alertType) {
    case "low_balance":
      return alert.level === alert.previousLevel
        ? `Level: ${alert.level} (reminder: unchanged since the last alert).`
        : `Level: ${alert.level} (was ${alert.previousLevel}).`;
    case "recovered":
      return `Level: ok (was ${alert.previousLevel}).`;
    case "forecast":
      return `Level: ${alert.previousLevel}, forecast to run out soon.`;
    case "monitor_degraded":
      return `Monitor: degraded; the balance level stays ${alert.previousLevel} until a reading succeeds.`;
    case "monitor_recovered":
      return `Monitor: readings resumed; balance level ${alert.level}.`;
    case "forced_commit":
      return `Level by what is now available: ${alert.level} (the recorded level moves at the next reading).`;
    case "paused":
      return `Kill switch: on${alert.pause ? `, by ${alert.pause.by}` : ""}; checks deny and reserves are refused until it is resumed.`;
    case "budget_usage":
      return alert.level === alert.previousLevel
        ? `Budget level: ${alert.level} (reminder: unchanged since the last alert).`
        : `Budget level: ${alert.level} (was ${alert.previousLevel}).`;
    case "budget_recovered":
      return `Budget level: ok (was ${alert.previousLevel}).`;
    case "budget_forecast":
      return `Budget level: ${alert.previousLevel}, forecast to run out before its period ends.`;
    case "unexplained_spend":
    case "estimate_drift":
      return `Level: ${alert.level} (unchanged by this alert).`;
    case "digest":
      return `Level: ${alert.level} (a summary; nothing changed).`;
    case "auto_reload_missed":
      return `Level: ${alert.level}; two readings below the auto-reload threshold and no reload.`;
    case "resumed":
      return `Kill switch: off${alert.pause ? `, by ${alert.pause.by}` : ""}; checks and reserves are judged on the balance again.`;
  }
}

function unitOf(alert: Alert, context: MessageContext): Unit {
  return alert.unit ?? context.snapshot?.unit ?? "credits";
}

function amountLines(alert: Alert, context: MessageContext): string[] {
  const unit = unitOf(alert, context);
  const remaining = alert.remaining ?? context.snapshot?.remaining;
  return [
    alert.available === undefined
      ? undefined
      : `Available:  ${formatAmount(alert.available, unit)} (what checks and reservations can still use)`,
    remaining === undefined ? undefined : `Remaining:  ${formatAmount(remaining, unit)} (HeyGen's balance)`,
    context.reserved === undefined
      ? undefined
      : `Reserved:   ${formatAmount(context.reserved, unit)} (open holds, and committed jobs HeyGen has not charged yet)`,
  ].filter((line): line is string => line !== undefined);
}

function balanceLines(alert: Alert, context: MessageContext): string[] {
  const unit = unitOf(alert, context);
  const { warning, critical } = context.thresholds;
  const lines = amountLines(alert, context);
  if (lines.length === 0) return [];
  lines.push(
    `Thresholds: warning below ${formatAmount(warning, unit)}, critical below ${formatAmount(critical, unit)}`,
  );
  return [...lines, ...accountLines(context.snapshot)];
}

function accountLines(snapshot: BalanceSnapshot | undefined): string[] {
  if (!snapshot) return [];
  const lines = [`Billing:    ${snapshot.billingType}${snapshot.plan ? `, plan ${snapshot.plan}` : ""}`];
  // Said, because the same account's v3 wallet may look nearly empty while this pool is full (field case G8).
  if (snapshot.spendPool === "plan_credit") lines.push("Pool:       plan credits (spendPool plan_credit)");
  const reload = snapshot.autoReload;
  if (reload) lines.push(`Auto-reload: ${reload.enabled ? "on" : "off"}`);
  if (snapshot.spendingCapUsd !== undefined) {
    const spent = formatAmount(snapshot.spendingCurrentUsd ?? 0, "usd");
    lines.push(`Spending:   ${spent} of a ${formatAmount(snapshot.spendingCapUsd, "usd")} cap`);
  }
  lines.push(`Observed:   ${formatTime(snapshot.observedAt)}`);
  return lines;
}

function poolLines(snapshot: BalanceSnapshot | undefined): string[] {
  const spendable = (snapshot?.pools ?? []).map(
    (pool) =>
      `- ${pool.name}: ${formatAmount(pool.remaining, pool.unit)}` +
      (pool.resetsAt ? `, resets at ${formatTime(pool.resetsAt)}` : ", no reset date reported"),
  );
  // Counts are counts, and a pool the account's spendPool does not draw on is not its balance: shown apart.
  const apart = (snapshot?.otherPools ?? []).map((pool) => {
    if (pool.kind === "count") return `- ${pool.name}: ${pool.remaining} (a count, not credits)`;
    if (pool.kind === "not_spent" || pool.kind === "not_api_spendable") {
      return `- ${pool.name}: ${formatAmount(pool.remaining, "credits")} (not the pool this account's spendPool guards)`;
    }
    return `- ${pool.name}: ${pool.remaining} (unknown pool, as HeyGen sent it)`;
  });
  return [...spendable, ...apart];
}

function forecastLines(forecast: Forecast | undefined, unit: Unit): string[] {
  if (!forecast) return [];
  const burn = forecast.burnRatePerHour;
  if (burn === null) {
    return [
      `No forecast yet: a burn rate ${forecastWait(forecast)} (${forecast.samples} reading${forecast.samples === 1 ? "" : "s"}).`,
    ];
  }
  if (burn === 0) return ["Nothing was consumed recently, so no exhaustion is forecast."];
  const rate = `Burn rate: ${burnText(burn, unit)} (from ${forecast.samples} readings).`;
  if (forecast.cappedByResetAt) {
    return [
      rate,
      `At this rate the balance lasts until the next reset at ${formatTime(forecast.cappedByResetAt)}.`,
    ];
  }
  if (forecast.cappedByAutoReloadAt) {
    return [
      rate,
      `At this rate auto-reload is due around ${formatTime(forecast.cappedByAutoReloadAt)}, before the balance runs out.`,
    ];
  }
  if (forecast.hoursToExhaustion === null || forecast.exhaustsAt === null) return [rate];
  if (forecast.hoursToExhaustion === 0) return [rate, "Nothing is left to spend."];
  return [
    rate,
    `At this rate the balance runs out in about ${formatHours(forecast.hoursToExhaustion)}, ` +
      `around ${formatTime(forecast.exhaustsAt)}.`,
  ];
}

function burnText(perHour: number, unit: Unit): string {
  const smallest = 0.01;
  return perHour < smallest
    ? `under ${formatAmount(smallest, unit)} per hour`
    : `${formatAmount(perHour, unit)} per hour`;
}

function forcedLines(alert: Alert, unit: Unit): string[] {
  const forced = alert.forced;
  if (!forced) return [];
  return [
    `Reservation: ${forced.reservationId}`,
    `Forced by:   ${forced.by} at ${formatTime(forced.at)}`,
    `Committed:   ${formatAmount(forced.asked, unit)} (held ${formatAmount(forced.held, unit)}, available ${formatAmount(forced.available, unit)}, at most ${formatAmount(forced.allowed, unit)} unforced)`,
  ];
}

function budgetLines(alert: Alert): string[] {
  const budget = alert.budget;
  if (!budget || budget.limit === undefined) return budget ? [`Budget:     ${budget.id}`] : [];
  // A total budget's period is the whole of time: no dates to show.
  const period =
    budget.periodEnd && budget.periodStart
      ? `${formatTime(budget.periodStart)} to ${formatTime(budget.periodEnd)}`
      : "total (never resets)";
  return [
    `Budget:     ${budget.id} (${budget.mode ?? "hard"}, ${budget.period})`,
    `Used:       ${budget.used} of ${budget.limit} (${budget.percentUsed}%), committed and held this period`,
    `Period:     ${period}`,
    ...(budget.hoursToExhaustion === undefined
      ? []
      : [`At this period's rate it runs out in about ${formatHours(budget.hoursToExhaustion)}.`]),
  ];
}

function failureLines(failure: MessageContext["failure"]): string[] {
  if (!failure) return [];
  const when = failure.at ? ` at ${formatTime(failure.at)}` : "";
  const until = failure.until
    ? [`HeyGen asked us not to call again before ${formatTime(failure.until)}.`]
    : [];
  return [`Last failure${when}: ${failure.code} - ${failure.message}`, ...until];
}
