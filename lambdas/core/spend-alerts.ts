import type { Alert, AlertLevel, AlertState } from "./account.ts";
import { alertSubject } from "./alert-text.ts";
import type { Unit } from "./balance.ts";
import {
  accurateCards,
  type CardAccuracy,
  cardKey,
  type DriftRule,
  driftingCards,
} from "./estimate-drift.ts";
import { type Reconciliation, type UnexplainedRule, unexplainedThreshold } from "./reconciliation.ts";

/**
 * The spend alerts a reading raises (docs/alerts.md#spend-alerts), beside the balance's own (alert-policy.ts).
 * Pure. Like the others they go once per change: the plan compares the alert state (`unexplainedNotifiedAt`,
 * `driftingCards`) with what the reading found, and only `markSpendSent` (once SNS accepted) moves it forward, so
 * a refused publish is planned again at the next reading.
 *
 * - `unexplained_spend` (warning) when the last 24 h's unexplained consumption exceeds
 *   max(`minimum`, `percentOfStartBalance` % of the balance at the window's first snapshot); a reminder every
 *   `repeatHours.warning` while it stays over; cleared, silently, once it is back below the threshold less the
 *   hysteresis margin (`threshold × (1 − h/100)`), so a figure wavering at the threshold does not re-alert.
 * - `estimate_drift` (warning) once per card (rate card, job type, engine) whose duration-priced commits over the
 *   window number at least `minJobs` with actual / estimated above `ratio`; the card is told again only after
 *   it showed it is accurate (enough jobs, ratio at or below `ratio`).
 */

/** The facts of an `unexplained_spend` alert, in the alert's unit. */
export interface UnexplainedFacts {
  observed: number;
  committed: number;
  unexplained: number;
  /** The threshold it exceeded: max(minimum, percent of `startBalance`). */
  threshold: number;
  startBalance: number;
  /** The first and the last snapshot of the window (ISO). */
  from: string;
  to: string;
  settleSeconds: number;
}

/** The facts of an `estimate_drift` alert: the card and the rule it broke. */
export interface DriftFacts extends CardAccuracy {
  ratio: number;
  threshold: number;
  minJobs: number;
}

export interface SpendAlertRules {
  unexplainedSpend: UnexplainedRule;
  estimateDrift: DriftRule;
  repeatHours: { warning: number };
  hysteresisPercent: number;
}

export interface SpendAlertInput {
  accountId: string;
  /** The state after the balance's own plan (alert-policy.ts planAlerts). */
  state: AlertState;
  reconciliation: Reconciliation;
  cards: readonly CardAccuracy[];
  rules: SpendAlertRules;
  /** What the reading saw, for the alert's figures; `level` is the balance level, unchanged by these alerts. */
  reading: { level: AlertLevel; remaining: number; available: number; unit: Unit };
  now: Date;
}

const MS_PER_HOUR = 3_600_000;

/** Plans the reading's spend alerts; answers the state with only silent changes (clears) applied. */
export function planSpendAlerts(input: SpendAlertInput): { state: AlertState; alerts: Alert[] } {
  const unexplained = planUnexplained(input);
  const drift = planDrift({ ...input, state: unexplained.state });
  return { state: drift.state, alerts: [...unexplained.alerts, ...drift.alerts] };
}

/** Advances the state for a spend alert SNS accepted; any other alert leaves it. */
export function markSpendSent(state: AlertState, alert: Alert, now: Date): AlertState {
  if (alert.alertType === "unexplained_spend") return { ...state, unexplainedNotifiedAt: now.toISOString() };
  if (alert.alertType === "estimate_drift" && alert.drift) {
    const key = cardKey(alert.drift);
    const told = state.driftingCards ?? [];
    return told.includes(key) ? state : { ...state, driftingCards: [...told, key] };
  }
  return state;
}

function planUnexplained(input: SpendAlertInput): { state: AlertState; alerts: Alert[] } {
  const { state, reconciliation: rec, rules, now } = input;
  const { firstSnapshotAt, lastSnapshotAt } = rec.window;
  const off = !rules.unexplainedSpend.enabled;
  if (off || firstSnapshotAt === null || lastSnapshotAt === null || rec.startBalance === null) {
    return { state, alerts: [] };
  }
  const threshold = unexplainedThreshold(rec.startBalance, rules.unexplainedSpend);
  if (rec.unexplained <= threshold) {
    const clear = rec.unexplained < (threshold * (100 - rules.hysteresisPercent)) / 100;
    if (!clear || state.unexplainedNotifiedAt === undefined) return { state, alerts: [] };
    const { unexplainedNotifiedAt: _cleared, ...rest } = state;
    return { state: rest, alerts: [] };
  }
  const notifiedAt = state.unexplainedNotifiedAt;
  const due =
    notifiedAt === undefined ||
    (now.getTime() - Date.parse(notifiedAt)) / MS_PER_HOUR >= rules.repeatHours.warning;
  if (!due) return { state, alerts: [] };
  const unexplained: UnexplainedFacts = {
    observed: rec.observed,
    committed: rec.committed,
    unexplained: rec.unexplained,
    threshold,
    startBalance: rec.startBalance,
    from: firstSnapshotAt,
    to: lastSnapshotAt,
    settleSeconds: rec.window.settleSeconds,
  };
  return { state, alerts: [build(input, { alertType: "unexplained_spend", unexplained })] };
}

function planDrift(input: SpendAlertInput): { state: AlertState; alerts: Alert[] } {
  const { state, cards, rules } = input;
  const rule = rules.estimateDrift;
  if (!rule.enabled) return { state, alerts: [] };
  const accurate = new Set(accurateCards(cards, rule).map(cardKey));
  const told = (state.driftingCards ?? []).filter((key) => !accurate.has(key));
  const { driftingCards: _before, ...rest } = state;
  const next: AlertState = told.length > 0 ? { ...rest, driftingCards: told } : rest;
  const alerts = driftingCards(cards, rule)
    .filter((card) => !told.includes(cardKey(card)))
    .map((card) => {
      const drift: DriftFacts = {
        ...card,
        ratio: card.ratio ?? 0,
        threshold: rule.ratio,
        minJobs: rule.minJobs,
      };
      return build(input, { alertType: "estimate_drift", drift });
    });
  return { state: next, alerts };
}

function build(input: SpendAlertInput, facts: Pick<Alert, "alertType" | "unexplained" | "drift">): Alert {
  const { level, remaining, available, unit } = input.reading;
  const fields: Omit<Alert, "subject"> = {
    accountId: input.accountId,
    createdAt: input.now.toISOString(),
    severity: "warning",
    level,
    previousLevel: level,
    remaining,
    available,
    unit,
    ...facts,
  };
  return { ...fields, subject: alertSubject(fields) };
}
