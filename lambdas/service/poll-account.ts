import type { AccountConfig } from "#config/config";
import { type AccountState, type Alert, type AlertState, INITIAL_ALERT_STATE } from "#core/account";
import { markSent, type PollOutcome, planAlerts } from "#core/alert-policy";
import type { BalanceSnapshot } from "#core/balance";
import type { Forecast } from "#core/forecast";
import { type BalanceView, computeBalanceView } from "#core/reservations";
import { deliver, putOwedAlerts, told } from "./alert-delivery.ts";
import { balanceRulesOf } from "./balance-rules.ts";
import { alertBudgets } from "./budget-alerts.ts";
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
  extends Pick<Services, "config" | "balanceSource" | "publisher" | "spendAlerts" | "now" | "log"> {
  store: Pick<
    AccountStore,
    | "getAccountState"
    | "claimReading"
    | "putSnapshot"
    | "recordSnapshot"
    | "endReading"
    | "appendAlert"
    | "oweAlert"
    | "settleOwedAlert"
    | "listSnapshots"
    | "listBudgets"
    | "setBudgetAlertState"
    | "listSpend"
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
  /** Owed alerts put again, then alerts planned by this poll, each with its delivery status. */
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

/** What asking HeyGen gave: a snapshot, a failure, or nothing because HeyGen asked us to wait. */
interface HeyGenRead {
  snapshot?: BalanceSnapshot;
  failure?: Failure;
  /** HeyGen's standing "not before", when it is still in force: then HeyGen was not asked. */
  deferredUntil?: { until: string; reason: string };
  /** A new "not before" this reading's failure asked for. */
  newWait?: { until: string; reason: string };
}

/**
 * Use case: reads one account. Claims the reading, reads HeyGen (unless it asked us to wait), records the
 * snapshot (and settles what it shows charged), forecasts, alerts, then ends the reading with the alert
 * state, then alerts on each of the account's budgets (budget-alerts.ts). Alerts some outlets still owe are put
 * again first, to those outlets only, before new ones are planned (alert-delivery.ts). The alert state
 * advances only for alerts told (SNS accepted them), so an alert that failed to send is planned again at the
 * next reading, and one EventBridge still owes is never planned (nor sent to SNS) twice. A HeyGen failure is
 * an answer (`status: "failed"`, counted towards `monitor_degraded`); a store failure is raised, so that the
 * invocation is retried.
 */
export async function pollAccount(
  services: ReadingPorts,
  account: AccountConfig,
  reading: Reading,
  limits: ReadingLimits = {},
): Promise<PollResult> {
  const { store, config } = services;
  const now = services.now();
  const tick = "tick" in reading ? reading.tick : now.toISOString();
  const state = await claimOf(services, account, reading, tick, now);
  if (state === undefined) return skipped(services, account, tick);
  const read = await askHeyGen(services, account, reading, tick, state, limits);
  if (read === "duplicate") return skipped(services, account, tick);
  warnOfReplyWarnings(services, account, read.snapshot);

  // Recorded before alerts are planned: the counter then no longer holds the committed spend this snapshot
  // settles, so a balance that already shows a charge is never judged with the charge counted again.
  const rules = { ...balanceRulesOf(services, account, now), retentionDays: config.retentionDays };
  const recorded = read.snapshot ? await store.recordSnapshot(account.id, read.snapshot, rules) : state;
  const view = computeBalanceView(recorded, rules);
  const snapshot = read.snapshot ?? state.latest;
  const owed = await putOwedAlerts(
    services,
    account.id,
    state.owedAlerts,
    { ...(snapshot ? { snapshot } : {}), thresholds: account.thresholds, reserved: view.reserved },
    now,
  );
  const outlook =
    read.snapshot !== undefined && view.available !== null
      ? await forecastAccount(services, account.id, view.available, now)
      : undefined;
  const { alertState, alerts } = await alertOn(services, account, state, outcomeOf(read, view, outlook), {
    snapshot,
    forecast: outlook,
    reserved: view.reserved,
  });
  await store.endReading(account.id, {
    snapshot: read.snapshot,
    alert: alertState,
    lastPollAt: now.toISOString(),
    ...(read.deferredUntil ? {} : { retryNotBefore: read.newWait ?? null }),
  });
  // After the account's reading is recorded: budgets count what the guard holds, not what HeyGen answered, so
  // they are judged at every reading, a failed one too.
  const budgetAlerts = await alertBudgets(services, account, { snapshot, reserved: view.reserved });
  const retryNotBefore = read.deferredUntil ?? read.newWait;
  return {
    accountId: account.id,
    status: read.deferredUntil ? "deferred" : read.failure ? "failed" : "recorded",
    snapshot: read.snapshot,
    view,
    forecast: outlook,
    ...(read.failure ? { error: { code: read.failure.code, message: read.failure.message } } : {}),
    ...(retryNotBefore ? { retryNotBefore } : {}),
    alerts: [...owed, ...alerts, ...budgetAlerts],
  };
}

function skipped(services: ReadingPorts, account: AccountConfig, tick: string): PollResult {
  services.log.info("reading skipped: another reading claimed it", { accountId: account.id, tick });
  return { accountId: account.id, status: "duplicate", alerts: [] };
}

/** The account's state as this reading claimed it; undefined when another reading claimed it first. */
async function claimOf(
  services: ReadingPorts,
  account: AccountConfig,
  reading: Reading,
  tick: string,
  now: Date,
): Promise<AccountState | undefined> {
  const { store, config } = services;
  const before = await store.getAccountState(account.id);
  if ("tick" in reading && before?.lastPollTick === tick) return undefined;
  // Delivery is at least once and readings may run at once: the one whose conditional claim lands reads, so a
  // reading records one snapshot, counts one failure and alerts once.
  const claim =
    "tick" in reading
      ? { tick }
      : {
          refresh: true as const,
          minIntervalSeconds: reading.urgent ? 0 : config.checks.minRefreshIntervalSeconds,
        };
  return store.claimReading(account.id, claim, now);
}

/**
 * Reads HeyGen and records the tick's snapshot, unless HeyGen's "not before" is still in force. A HeyGen
 * failure becomes `failure`; a store failure is raised. `duplicate`: this tick's snapshot was recorded by
 * another reading.
 */
async function askHeyGen(
  services: ReadingPorts,
  account: AccountConfig,
  reading: Reading,
  tick: string,
  state: AccountState,
  limits: ReadingLimits,
): Promise<HeyGenRead | "duplicate"> {
  const now = services.now();
  const waitUntil = state.retryNotBefore;
  if (waitUntil !== undefined && Date.parse(waitUntil.until) > now.getTime()) {
    return { deferredUntil: waitUntil };
  }
  let snapshot: BalanceSnapshot | undefined;
  try {
    snapshot = await readBalance(services, account, limits.readTimeoutMs);
    // Conditional on the tick too: never a second snapshot for a tick, whatever happened before.
    const firstForTick = await services.store.putSnapshot(
      account.id,
      tick,
      snapshot,
      services.config.retentionDays,
    );
    if ("tick" in reading && !firstForTick) return "duplicate";
    return { snapshot };
  } catch (cause) {
    if (snapshot !== undefined) throw cause; // the store failed, not HeyGen: let the invocation be retried
    const failure = failureOf(cause);
    services.log.warn("balance read failed", { accountId: account.id, error: failure });
    const newWait = waitAskedFor(failure, now);
    return { failure, ...(newWait ? { newWait } : {}) };
  }
}

function warnOfReplyWarnings(services: ReadingPorts, account: AccountConfig, snapshot?: BalanceSnapshot) {
  for (const warning of snapshot?.warnings ?? []) {
    const path = warning.split(": ")[0];
    // A `spendPool:` warning names a choice the operator has to make, not a field of HeyGen's reply.
    const message = path === "spendPool" ? "HeyGen pool choice needed" : "HeyGen reply field dropped";
    services.log.warn(message, { accountId: account.id, path, warning });
  }
}

/** What the alert policy is told of this reading. */
function outcomeOf(read: HeyGenRead, view: BalanceView, outlook: Forecast | undefined): PollOutcome {
  if (read.deferredUntil) return { ok: false, skippedUntil: read.deferredUntil.until };
  if (read.snapshot && outlook && view.available !== null) {
    return { ok: true, snapshot: read.snapshot, available: view.available, forecast: outlook };
  }
  const { code, message } = read.failure ?? { code: "internal", message: "no balance" };
  return { ok: false, error: { code, message, ...(read.newWait ? { until: read.newWait.until } : {}) } };
}

/**
 * Plans the reading's alerts, delivers (and logs) each; answers the alert state after them (advanced only by
 * the alerts told: alert-delivery.ts) and the alerts with their delivery status.
 */
async function alertOn(
  services: ReadingPorts,
  account: AccountConfig,
  state: AccountState,
  outcome: PollOutcome,
  context: Omit<MessageContext, "thresholds" | "failure">,
): Promise<{ alertState: AlertState; alerts: Alert[] }> {
  const now = services.now();
  const balancePlan = planAlerts({
    accountId: account.id,
    state: state.alert ?? INITIAL_ALERT_STATE,
    outcome,
    thresholds: account.thresholds,
    alerts: services.config.alerts,
    now,
  });
  // After the snapshot is recorded (the reconciliation reads it); only a good reading has a balance to judge.
  const plan =
    outcome.ok && services.spendAlerts
      ? await services.spendAlerts.plan(services, account, balancePlan, outcome, now)
      : balancePlan;
  let alertState = plan.state;
  const alerts: Alert[] = [];
  for (const planned of plan.alerts) {
    const summary = services.spendAlerts?.summaryOf(planned);
    const delivered = await deliver(services, planned, {
      ...context,
      thresholds: account.thresholds,
      failure: alertState.lastFailure,
      ...(summary ? { summary } : {}),
    });
    if (told(delivered)) alertState = markSent(alertState, delivered, now);
    alerts.push(delivered);
  }
  return { alertState, alerts };
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
