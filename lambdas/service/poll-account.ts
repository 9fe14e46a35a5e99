import type { AccountConfig } from "#config/config";
import { type Alert, INITIAL_ALERT_STATE } from "#core/account";
import { markSent, type PollOutcome, planAlerts } from "#core/alert-policy";
import type { BalanceSnapshot } from "#core/balance";
import type { Forecast } from "#core/forecast";
import { type BalanceView, computeBalanceView } from "#core/reservations";
import { forecastAccount } from "./forecast-account.ts";
import type { Services } from "./services.ts";

export type PollMode =
  /** The schedule: record, forecast and alert; a retried tick does nothing twice. */
  | "scheduled"
  /** On demand (API refresh, stale check): record only; alerts stay with the schedule. */
  | "refresh";

export interface PollResult {
  accountId: string;
  status: "recorded" | "failed" | "duplicate";
  snapshot?: BalanceSnapshot;
  view?: BalanceView;
  forecast?: Forecast;
  error?: { code: string; message: string };
  /** Alerts planned by this poll, each with its delivery status. */
  alerts: Alert[];
}

function failureOf(error: unknown): { code: string; message: string } {
  const code =
    typeof (error as { code?: unknown })?.code === "string" ? (error as { code: string }).code : "internal";
  return { code, message: error instanceof Error ? error.message : String(error) };
}

/**
 * Polls one account: read HeyGen, record the snapshot and state, forecast, alert. The alert state advances
 * only for alerts the publisher accepted, so an alert that failed to send is planned again next poll.
 */
export async function pollAccount(
  services: Services,
  account: AccountConfig,
  tick: string,
  mode: PollMode,
): Promise<PollResult> {
  const { store, config, log } = services;
  const now = services.now();
  const rules = {
    now,
    reserveFloor: account.reserveFloor,
    settleSeconds: config.reservations.settleSeconds,
    retentionDays: config.retentionDays,
  };
  const duplicate = (): PollResult => {
    log.info("poll skipped: this tick is recorded by another delivery", { accountId: account.id, tick });
    return { accountId: account.id, status: "duplicate", alerts: [] };
  };
  const state = await store.getAccountState(account.id);
  if (mode === "scheduled" && state?.lastPollTick === tick) return duplicate();
  // Delivery is at least once: of the copies of one tick running at the same time, the one whose conditional
  // claim lands does the poll, so a tick records one snapshot, counts one failure and alerts once.
  if (mode === "scheduled" && !(await store.claimTick(account.id, tick))) return duplicate();

  let snapshot: BalanceSnapshot | undefined;
  let error: { code: string; message: string } | undefined;
  try {
    snapshot = await services.balanceSource(account).getBalance(account.id);
    // Conditional on the tick too: never a second snapshot for a tick, whatever happened before.
    const firstForTick = await store.putSnapshot(account.id, tick, snapshot, config.retentionDays);
    if (mode === "scheduled" && !firstForTick) return duplicate();
  } catch (cause) {
    if (snapshot !== undefined) throw cause; // the store failed, not HeyGen: let the invocation be retried
    error = failureOf(cause);
    log.warn("balance read failed", { accountId: account.id, error });
  }

  const view = computeBalanceView({ latest: snapshot ?? state?.latest, holds: state?.holds ?? {} }, rules);
  let outlook: Forecast | undefined;
  if (snapshot !== undefined && view.available !== null) {
    outlook = await forecastAccount(services, account.id, view.available, now);
  }

  let alertState = mode === "scheduled" ? (state?.alert ?? INITIAL_ALERT_STATE) : undefined;
  const alerts: Alert[] = [];
  if (alertState !== undefined) {
    const outcome: PollOutcome =
      snapshot && outlook && view.available !== null
        ? { ok: true, snapshot, available: view.available, forecast: outlook }
        : { ok: false, error: error ?? { code: "internal", message: "no balance" } };
    const plan = planAlerts({
      accountId: account.id,
      state: alertState,
      outcome,
      thresholds: account.thresholds,
      alerts: config.alerts,
      now,
    });
    alertState = plan.state;
    for (const planned of plan.alerts) {
      const delivered = await deliver(services, planned, {
        snapshot: snapshot ?? state?.latest,
        forecast: outlook,
        thresholds: account.thresholds,
        reserved: view.reserved,
        failure: alertState.lastFailure,
      });
      if (delivered.status === "sent") alertState = markSent(alertState, delivered, now);
      alerts.push(delivered);
      await store.appendAlert(delivered, config.retentionDays);
    }
  }

  await store.savePoll(
    account.id,
    {
      tick,
      snapshot,
      ...(alertState ? { alert: alertState } : {}),
      lastPollAt: now.toISOString(),
      refresh: mode === "refresh",
    },
    rules,
  );
  return {
    accountId: account.id,
    status: error ? "failed" : "recorded",
    snapshot,
    view,
    forecast: outlook,
    error,
    alerts,
  };
}

/** Publishes one alert; the alert comes back with its delivery `status` (and `error`), never a throw. */
export async function deliver(
  services: Services,
  alert: Alert,
  context: Parameters<NonNullable<Services["publisher"]>["publish"]>[1],
): Promise<Alert> {
  if (!services.publisher) return { ...alert, status: "failed", error: "no publisher configured" };
  try {
    await services.publisher.publish(alert, context);
    services.log.info("alert sent", {
      accountId: alert.accountId,
      alertType: alert.alertType,
      level: alert.level,
    });
    return { ...alert, status: "sent" };
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause);
    services.log.error("alert publish failed; it will be retried at the next poll", {
      accountId: alert.accountId,
      alertType: alert.alertType,
      error: message,
    });
    return { ...alert, status: "failed", error: message };
  }
}
