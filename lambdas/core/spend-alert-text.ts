import type { Alert } from "./account.ts";
import { formatAmount, formatTime } from "./alert-text.ts";
import type { TextSection } from "./digest-text.ts";

/**
 * The facts and the advice of the spend alerts (core/spend-alerts.ts): `unexplained_spend` and `estimate_drift`.
 * Only the poller raises them, so their texts reach notify/message.ts through the message context
 * (spendAlertSummary, set by service/spend-alerts.ts) and stay out of the API's and webhook's bundles.
 */

/** What to do, as an alert's email lists it (`steps`) and its SMS ends (`short`). */
interface Advice {
  steps: string[];
  short: string;
}

/**
 * The texts of a spend alert (its section, and its advice) as MessageContext.summary carries them; undefined
 * for any other alert.
 */
export function spendAlertSummary(
  alert: Alert,
): { sections: TextSection[]; steps: string[]; short: string } | undefined {
  if (alert.alertType === "unexplained_spend") {
    return {
      sections: [{ title: "Unexplained spend (last 24 h)", lines: unexplainedLines(alert) }],
      ...unexplainedAdvice(alert),
    };
  }
  if (alert.alertType === "estimate_drift") {
    return { sections: [{ title: "Estimate accuracy", lines: driftLines(alert) }], ...driftAdvice(alert) };
  }
  return undefined;
}

/** The reconciliation an unexplained_spend alert was raised on, as the email and the chat card list it. */
function unexplainedLines(alert: Alert): string[] {
  const facts = alert.unexplained;
  if (!facts) return [];
  const money = (amount: number) => formatAmount(amount, alert.unit ?? "credits");
  return [
    `Window:      ${formatTime(facts.from)} to ${formatTime(facts.to)} (first and last reading)`,
    `Observed:    ${money(facts.observed)} (the balance's decreases; top-ups and resets left out)`,
    `Committed:   ${money(facts.committed)} (Quota Guard's commits, from ${facts.settleSeconds} s before the window)`,
    `Unexplained: ${money(facts.unexplained)}, over the threshold of ${money(facts.threshold)} (of a ${money(facts.startBalance)} start balance)`,
  ];
}

/** The card an estimate_drift alert is about. */
function driftLines(alert: Alert): string[] {
  const drift = alert.drift;
  if (!drift) return [];
  const money = (amount: number) => formatAmount(amount, alert.unit ?? "credits");
  return [
    `Rate card:  ${drift.rateCard}, job type ${drift.jobType ?? "none"}, engine ${drift.engine ?? "none"}`,
    `Jobs:       ${drift.jobs} priced by the duration HeyGen reported (at least ${drift.minJobs} needed)`,
    `Estimated:  ${money(drift.estimated)}; charged: ${money(drift.actual)}`,
    `Ratio:      ${drift.ratio} (actual / estimated; alerts above ${drift.threshold})`,
  ];
}

/** What to do about spend no commit explains: its likely causes, most common first. */
function unexplainedAdvice(alert: Alert): Advice {
  return {
    steps: [
      "Someone may be using the HeyGen web app on this account: its jobs draw the same credit.",
      "Another API key of the account, or a teammate's script, may be spending outside Quota Guard.",
      "A pipeline may call HeyGen directly without reserving and committing through Quota Guard.",
      "A rate card may under-price jobs, so commits are below HeyGen's charges: see GET /v1/rate-cards/accuracy.",
      `Compare the two sides: GET /v1/accounts/${alert.accountId}/reconciliation?from=...&to=...`,
    ],
    short: "Check web-app use, other keys, unguarded pipelines.",
  };
}

/** What to do about a card that under-estimates: its holds are too small for the jobs they guard. */
function driftAdvice(alert: Alert): Advice {
  const card = alert.drift?.rateCard ?? "the rate card";
  return {
    steps: [
      `Jobs cost more than ${card} estimates, so holds are too small and checks can let through more than the ` +
        "balance covers.",
      "Update the card's prices or the duration estimate (config rateCards), or send the real script length; " +
        "GET /v1/rate-cards/accuracy shows every card.",
    ],
    short: "Review the rate card.",
  };
}
