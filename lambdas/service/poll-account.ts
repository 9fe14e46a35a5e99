import type { AccountConfig } from "#config/config";
import { type Alert, INITIAL_ALERT_STATE } from "#core/account";
import { markSent, type PollOutcome, planAlerts } from "#core/alert-policy";
import type { BalanceSnapshot } from "#core/balance";
import type { Forecast } from "#core/forecast";
import { type BalanceView, computeBalanceView } from "#core/reservations";
import { answerWithin, timeoutError } from "./deadline.ts";
import { forecastAccount } from "./forecast-account.ts";
import type { MessageContext, Services } from "./services.ts";
import type { AccountStore } from "./store-port.ts";

/**
 * Which reading this is. Every reading of HeyGen goes through `pollAccount` (docs/heygen-readings.md#one-reading-path):
 * the schedule's ticks, `POST /refresh` and a check's refresh of a stale balance all record, move the level,
 * alert and count failures the same way; only how the reading is claimed differs.
 */
export type Reading =
  /** A schedule tick: claimed once per tick, so a tick delivered twice does nothing twice. */
  | { tick: string }
  /**
   * On demand: claimed at most once per `checks.minRefreshIntervalSeconds`, unless `urgent` (HeyGen just
   * failed a job for lack of credit, so the balance is known to have moved): then only the lease applies.
   */
  | { refresh: true; urgent?: boolean };

/** The ports a reading uses (Services has them all; unit tests pass plain fakes of just these). */
export interface ReadingPorts
  extends Pick<Services, "config" | "balanceSource" | "publisher" | "now" | "log"> {
  store: Pick<
    AccountStore,
    | "getAccountState"
    | "claimReading"
    | "putSnapshot"
    | "recordSnapshot"
    | "endReading"
    | "appendAlert"
    | "listSnapshots"
  >;
}

export interface PollResult {
  accountId: string;
  /**
   * `duplicate`: another reading claimed this one (same tick, a refresh too soon, or one in progress);
   * `deferred`: HeyGen asked us to wait (`retryNotBefore`), so no call was made and no failure counted.
   */
  status: "recorded" | "failed" | "duplicate" | "deferred";
  snapshot?: BalanceSnapshot;
  view?: BalanceView;
  forecast?: Forecast;
  error?: { code: string; message: string };
  /** Set when HeyGen asked us not to call before a time (a long `Retry-After`). */
  retryNotBefore?: { until: string; reason: string };
  /** Alerts planned by this poll, each with its delivery status. */
  alerts: Alert[];
}

/** How long one reading may wait for HeyGen; the poller's fan-out sets it (poll-accounts.ts). */
export interface ReadingLimits {
  /**
   * Milliseconds HeyGen's answer is awaited; past them the reading records a `timeout` failure (counted like
   * any failed read, so the account turns `monitor_degraded` in the end). 0 or less: HeyGen is not asked.
   * Unset: as long as the HeyGen client's own timeouts and retries take.
   */
  readTimeoutMs?: number;
}

interface Failure {
  code: string;
  message: string;
  retryAfterMs?: number;
}

function failureOf(error: unknown): Failure {
  const { code, retryAfterMs } = (error ?? {}) as { code?: unknown; retryAfterMs?: unknown };
  return {
    code: typeof code === "string" ? code : "internal",
    message: error instanceof Error ? error.message : String(error),
    ...(typeof retryAfterMs === "number" ? { retryAfterMs } : {}),
  };
}

/** A rate limit whose `Retry-After` outlived the reading: no call before it (docs/heygen-readings.md#rate-limits-across-readings). */
function waitAskedFor(failure: Failure, now: Date): { until: string; reason: string } | undefined {
  if (failure.code !== "rate_limited" || failure.retryAfterMs === undefined) return undefined;
  return {
    until: new Date(now.getTime() + failure.retryAfterMs).toISOString(),
    reason: `HeyGen rate limit: Retry-After ${Math.ceil(failure.retryAfterMs / 1000)} s (${failure.message})`,
  };
}

/**
 * Reads one account: claim the reading, read HeyGen (unless it asked us to wait), record the snapshot (and
 * settle what it shows charged), forecast, alert, then end the reading with the alert state. The alert state advances only for alerts the publisher accepted, so an alert that
 * failed to send is planned again at the next reading.
 */
export async function pollAccount(
  services: ReadingPorts,
  account: AccountConfig,
  reading: Reading,
  limits: ReadingLimits = {},
): Promise<PollResult> {
  const { store, config, log } = services;
  const now = services.now();
  const tick = "tick" in reading ? reading.tick : now.toISOString();
  const rules = {
    now,
    reserveFloor: account.reserveFloor,
    settleSeconds: config.reservations.settleSeconds,
    retentionDays: config.retentionDays,
  };
  const duplicate = (): PollResult => {
    log.info("reading skipped: another reading claimed it", { accountId: account.id, tick });
    return { accountId: account.id, status: "duplicate", alerts: [] };
  };
  const before = await store.getAccountState(account.id);
  if ("tick" in reading && before?.lastPollTick === tick) return duplicate();
  // Delivery is at least once and readings may run at once: the one whose conditional claim lands reads, so a
  // reading records one snapshot, counts one failure and alerts once.
  const claim =
    "tick" in reading
      ? { tick }
      : {
          refresh: true as const,
          minIntervalSeconds: reading.urgent ? 0 : config.checks.minRefreshIntervalSeconds,
        };
  const state = await store.claimReading(account.id, claim, now);
  if (state === undefined) return duplicate();

  const waitUntil = state?.retryNotBefore;
  const deferred = waitUntil !== undefined && Date.parse(waitUntil.until) > now.getTime();
  let snapshot: BalanceSnapshot | undefined;
  let failure: Failure | undefined;
  if (!deferred) {
    try {
      snapshot = await readBalance(services, account, limits.readTimeoutMs);
      // Conditional on the tick too: never a second snapshot for a tick, whatever happened before.
      const firstForTick = await store.putSnapshot(account.id, tick, snapshot, config.retentionDays);
      if ("tick" in reading && !firstForTick) return duplicate();
    } catch (cause) {
      if (snapshot !== undefined) throw cause; // the store failed, not HeyGen: let the invocation be retried
      failure = failureOf(cause);
      log.warn("balance read failed", { accountId: account.id, error: failure });
    }
  }
  for (const warning of snapshot?.warnings ?? []) {
    const path = warning.split(": ")[0];
    // A `spendPool:` warning names a choice the operator has to make, not a field of HeyGen's reply.
    const message = path === "spendPool" ? "HeyGen pool choice needed" : "HeyGen reply field dropped";
    log.warn(message, { accountId: account.id, path, warning });
  }
  const newWait = failure ? waitAskedFor(failure, now) : undefined;

  // Recorded before alerts are planned: the counter then no longer holds the committed spend this snapshot
  // settles, so a balance that already shows a charge is never judged with the charge counted again.
  const recorded = snapshot ? await store.recordSnapshot(account.id, snapshot, rules) : state;
  const view = computeBalanceView(recorded, rules);
  let outlook: Forecast | undefined;
  if (snapshot !== undefined && view.available !== null) {
    outlook = await forecastAccount(services, account.id, view.available, now);
  }

  let outcome: PollOutcome;
  if (deferred) outcome = { ok: false, skippedUntil: waitUntil.until };
  else if (snapshot && outlook && view.available !== null) {
    outcome = { ok: true, snapshot, available: view.available, forecast: outlook };
  } else {
    const { code, message } = failure ?? { code: "internal", message: "no balance" };
    outcome = { ok: false, error: { code, message, ...(newWait ? { until: newWait.until } : {}) } };
  }
  const plan = planAlerts({
    accountId: account.id,
    state: state?.alert ?? INITIAL_ALERT_STATE,
    outcome,
    thresholds: account.thresholds,
    alerts: config.alerts,
    now,
  });
  let alertState = plan.state;
  const alerts: Alert[] = [];
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

  await store.endReading(account.id, {
    snapshot,
    alert: alertState,
    lastPollAt: now.toISOString(),
    ...(deferred ? {} : { retryNotBefore: newWait ?? null }),
  });
  const retryNotBefore = deferred ? waitUntil : newWait;
  return {
    accountId: account.id,
    status: deferred ? "deferred" : failure ? "failed" : "recorded",
    snapshot,
    view,
    forecast: outlook,
    ...(failure ? { error: { code: failure.code, message: failure.message } } : {}),
    ...(retryNotBefore ? { retryNotBefore } : {}),
    alerts,
  };
}

/** The account's balance from HeyGen, within `timeoutMs` when given (ReadingLimits). */
async function readBalance(
  services: Pick<Services, "balanceSource">,
  account: AccountConfig,
  timeoutMs: number | undefined,
): Promise<BalanceSnapshot> {
  if (timeoutMs === undefined) return services.balanceSource(account).getBalance(account.id);
  if (timeoutMs <= 0) {
    throw timeoutError("HeyGen was not asked: the poll's time ran out before this account's turn");
  }
  return answerWithin(
    services.balanceSource(account).getBalance(account.id),
    timeoutMs,
    `HeyGen did not answer within the poll's ${timeoutMs} ms for one account`,
  );
}

/** Publishes one alert; the alert comes back with its delivery `status` (and `error`), never a throw. */
export async function deliver(
  services: Pick<Services, "publisher" | "log">,
  alert: Alert,
  context: MessageContext,
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
