import type { Alert } from "#core/account";
import { formatAmount, formatDebt, formatTime, isOverdrawn } from "#core/alert-text";
import type { BalanceSnapshot } from "#core/balance";

/**
 * What a person should do about an alert: full steps for the email, one short phrase for the SMS.
 * The steps follow how the account is billed (docs/heygen-facts.md#the-current-balance-endpoint-v3), because a wallet is topped up, a
 * subscription upgraded or waited out, and a usage-based account has its cap raised.
 */
export interface Advice {
  steps: string[];
  short: string;
}

export interface AdviceContext {
  snapshot?: BalanceSnapshot;
  reserved?: number;
  failure?: { code: string; until?: string };
}

const NO_ACTION: Advice = { steps: ["No action needed."], short: "No action needed." };

/** Stands in for a spend alert's own advice, which its use case passes in the message context. */
const SPEND_ALERT_ADVICE: Advice = {
  steps: ["See docs/alerts.md#spend-alerts, and GET /v1/accounts/{id}/reconciliation."],
  short: "See the reconciliation.",
};

/** A digest asks for nothing: it points at where to look closer. */
const DIGEST_ADVICE: Advice = {
  steps: [
    "Look closer with `quota-guard spend --by label:<key> --since 7d --human`, or GET /v1/accounts/{id}/spend.",
    "Unexplained consumption: GET /v1/accounts/{id}/reconciliation shows what HeyGen used beyond the guard's commits.",
  ],
  short: "No action needed.",
};

export function adviceFor(alert: Alert, context: AdviceContext): Advice {
  switch (alert.alertType) {
    case "recovered":
      return NO_ACTION;
    case "monitor_degraded":
      return failureAdvice(context.failure);
    case "forced_commit":
      return forcedCommitAdvice(alert);
    case "paused":
      if (alert.budget) {
        return {
          steps: [
            `Find and stop what budget ${alert.budget.id} was paused for; the account and its other budgets go on.`,
            `Resume it when it is safe: POST /v1/accounts/${alert.accountId}/budgets/${alert.budget.id}/resume.`,
          ],
          short: "Resume when safe.",
        };
      }
      return {
        steps: [
          "Find and stop what the account was paused for; commits and releases of holds already made go on.",
          `Resume it when it is safe: POST /v1/accounts/${alert.accountId}/resume.`,
        ],
        short: "Resume when safe.",
      };
    case "resumed":
    case "budget_recovered":
      return NO_ACTION;
    case "budget_usage":
    case "budget_forecast":
      return budgetAdvice(alert);
    // Their own advice comes with them (MessageContext.summary, core/spend-alert-text.ts).
    case "unexplained_spend":
    case "estimate_drift":
      return SPEND_ALERT_ADVICE;
    case "digest":
      return DIGEST_ADVICE;
    case "auto_reload_missed":
      return {
        steps: [
          "Check the HeyGen billing page: the reload's payment may have been declined or a spending limit reached.",
          "Top up the wallet by hand until auto-reload works again; this alert clears at the next rise.",
        ],
        short: "Check auto-reload's payment.",
      };
    // monitor_recovered: readings resumed, but the balance they show may still be low, so its advice is
    // the level's, as a low_balance alert's would be.
    case "monitor_recovered":
    case "low_balance":
    case "forecast":
      return alert.level === "ok" ? NO_ACTION : lowBalanceAdvice(alert, context);
  }
}

/** What to do about a budget running low: it is the team's cap, not the wallet, that is running out. */
function budgetAdvice(alert: Alert): Advice {
  const id = alert.budget?.id ?? "?";
  const path = `/v1/accounts/${alert.accountId}/budgets/${id}`;
  const soft = alert.budget?.mode === "soft";
  return {
    steps: [
      `See what is spending through budget ${id}: GET ${path}.`,
      soft
        ? "It is soft: reserves past its limit are still granted, so stop the spending if it is not meant."
        : "Reserves past its limit are refused (budget-exhausted) until its period ends or its limit is raised.",
      `Raise its limit (PUT ${path}) if the spend is meant, or pause it (POST ${path}/pause) if it is runaway.`,
    ],
    short: soft ? "Soft budget: spending goes on." : "Raise the limit or wait for the period.",
  };
}

function forcedCommitAdvice(alert: Alert): Advice {
  const id = alert.forced?.reservationId ?? "{id}";
  return {
    steps: [
      `Check that the job really cost this much (GET /v1/reservations/${id}). If it did, top up: checks and ` +
        "reservations are denied while available is below what they need.",
      `If it did not, ask the caller that forced it (${alert.forced?.by ?? "see the reservation's forced.by"}) ` +
        "to fix the amount it commits; the balance heals at the next reading past the settle window.",
    ],
    short: "Check the forced commit.",
  };
}

function lowBalanceAdvice(alert: Alert, context: AdviceContext): Advice {
  const billing = billingAdvice(context.snapshot, alert.createdAt);
  const steps = [...billing.steps];
  if (isOverdrawn(alert) && alert.unit) {
    steps.unshift(
      `The balance is overdrawn by ${formatDebt(alert.remaining ?? 0, alert.unit)}: top up at least that ` +
        "much plus what the next jobs need; every check and reservation is denied until then.",
    );
  }
  if (alert.level === "exhausted") {
    steps.push(
      "Until credit is added, new HeyGen jobs fail (often only when polled, as MOVIO_PAYMENT_INSUFFICIENT_CREDIT) " +
        "and Quota Guard checks and reservations are denied.",
    );
  }
  const reserved = context.reserved ?? 0;
  if (reserved > 0 && context.snapshot) {
    steps.push(
      `${formatAmount(reserved, context.snapshot.unit)} is reserved (open holds, and committed jobs until HeyGen charges them): ` +
        "release the holds no job will use (GET /v1/reservations?status=held lists them).",
    );
  }
  return { steps, short: isOverdrawn(alert) ? "Top up now." : billing.short };
}

function billingAdvice(snapshot: BalanceSnapshot | undefined, now: string): Advice {
  if (!snapshot) return { steps: ["Add credit to the HeyGen account."], short: "Add credit." };
  const reset = nextReset(snapshot, now);
  // The web plan's credits (field case G8): bought with the plan, not as API credits.
  if (snapshot.spendPool === "plan_credit") {
    return {
      steps: [
        "Upgrade the HeyGen web plan or buy more plan credits (this account's jobs draw plan credits).",
      ],
      short: "Upgrade the plan or buy plan credits.",
    };
  }
  switch (snapshot.billingType) {
    case "wallet":
      return walletAdvice(snapshot);
    case "subscription":
      return {
        steps: [
          `Upgrade the HeyGen plan${snapshot.plan ? ` (now: ${snapshot.plan})` : ""} or buy add-on credits` +
            (reset ? `, or wait for the credits to reset at ${formatTime(reset)}.` : "."),
        ],
        short: reset
          ? `Upgrade, buy add-on credits or wait for reset ${reset.slice(0, 10)}.`
          : "Upgrade or buy credits.",
      };
    case "usage_based":
      return usageBasedAdvice(snapshot);
    case "legacy_quota":
      return {
        steps: [
          "Buy more HeyGen API credits or upgrade the API plan" +
            (reset ? `, or wait for the reset at ${formatTime(reset)}.` : "."),
        ],
        short: "Buy API credits or upgrade.",
      };
  }
}

function walletAdvice(snapshot: BalanceSnapshot): Advice {
  const reload = snapshot.autoReload;
  if (reload?.enabled) {
    const amount = reload.amountUsd === undefined ? "" : ` of ${usd(reload.amountUsd)}`;
    const below = reload.thresholdUsd === undefined ? "" : ` below ${usd(reload.thresholdUsd)}`;
    return {
      steps: [
        `Auto-reload is on (a reload${amount}${below}): check that it succeeds, e.g. that the payment method ` +
          "is valid, or top up the wallet by hand now.",
      ],
      short: "Check auto-reload or top up.",
    };
  }
  return {
    steps: ["Top up the HeyGen wallet now, or turn on auto-reload so that it refills itself."],
    short: "Top up or enable auto-reload.",
  };
}

function usageBasedAdvice(snapshot: BalanceSnapshot): Advice {
  const spending =
    snapshot.spendingCapUsd === undefined
      ? ""
      : ` (spent ${usd(snapshot.spendingCurrentUsd ?? 0)} of a ${usd(snapshot.spendingCapUsd)} cap)`;
  return {
    steps: [`Raise the spending cap${spending} or wait for the next billing cycle.`],
    short: "Raise the spending cap.",
  };
}

function failureAdvice(failure: AdviceContext["failure"]): Advice {
  const code = failure?.code;
  const common =
    "Until readings resume, checks use the last recorded balance while it is fresh enough, then answer unknown.";
  switch (code) {
    case "invalid_key":
      return {
        steps: [
          "HeyGen rejected the API key: put a valid key in this account's secret (or environment variable); " +
            "it may have been rotated or revoked.",
          common,
        ],
        short: "Check the API key.",
      };
    case "forbidden":
      return {
        steps: ["HeyGen refused access to the balance: check that the key's account may read it.", common],
        short: "Check the key's access.",
      };
    case "not_found":
      return {
        steps: [
          "HeyGen did not find the balance endpoint: set the account's apiVersion to v3 or v2.",
          common,
        ],
        short: "Check apiVersion.",
      };
    case "rate_limited":
      if (failure?.until) {
        return {
          steps: [
            `HeyGen is rate-limiting this key until ${formatTime(failure.until)}; Quota Guard makes no call before ` +
              "then and reads the balance again after it. No change to the key is needed.",
            common,
          ],
          short: `Rate limited until ${formatTime(failure.until)}.`,
        };
      }
      return {
        steps: [
          "HeyGen is rate-limiting the key: poll less often or spread other callers of the key.",
          common,
        ],
        short: "Rate limited by HeyGen.",
      };
    case "endpoint_retired":
      return {
        steps: [
          "HeyGen has retired the balance endpoint this account reads (v1/v2 end of life): set the account's " +
            'apiVersion to "v3" or "auto" in the Quota Guard config.',
          common,
        ],
        short: "Set apiVersion v3 or auto.",
      };
    case "bad_response":
      return {
        steps: [
          "HeyGen answered in a shape Quota Guard does not understand: check for a Quota Guard update.",
          common,
        ],
        short: "Unexpected HeyGen reply.",
      };
    default:
      return {
        steps: [
          "HeyGen or the network is failing; this usually passes. Check HeyGen's status page if it persists.",
          common,
        ],
        short: "Check HeyGen status.",
      };
  }
}

/** The earliest pool reset after `now`, if HeyGen reported one. */
export function nextReset(snapshot: BalanceSnapshot, now: string): string | undefined {
  const nowMs = Date.parse(now);
  return snapshot.pools
    .flatMap((pool) => (pool.resetsAt && Date.parse(pool.resetsAt) > nowMs ? [pool.resetsAt] : []))
    .sort((a, b) => Date.parse(a) - Date.parse(b))[0];
}

function usd(amount: number): string {
  return formatAmount(amount, "usd");
}
