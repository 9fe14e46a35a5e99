import type { AccountConfig } from "#config/config";
import type { Alert } from "#core/account";
import { INITIAL_ALERT_STATE } from "#core/account";
import { MAX_SMS_LENGTH } from "#core/alert-text";
import { type DigestPeriod, digestFacts, digestSubject, dueDigestPeriod } from "#core/digest";
import { digestSections, digestSms } from "#core/digest-text";
import { ledgerRangeOf, reconcile } from "#core/reconciliation";
import { computeBalanceView } from "#core/reservations";
import { type DeliveryPorts, deliver, told } from "./alert-delivery.ts";
import { balanceRulesOf } from "./balance-rules.ts";
import { forecastAccount } from "./forecast-account.ts";
import type { PollResult } from "./poll-account.ts";
import { snapshotsBetween } from "./reconciliation.ts";
import type { Services } from "./services.ts";
import type { AccountStore } from "./store-port.ts";

/** The ports the digest uses (Services has them all). */
export interface DigestPorts extends DeliveryPorts, Pick<Services, "now"> {
  store: DeliveryPorts["store"] &
    Pick<AccountStore, "findAlert" | "getAccountState" | "listSnapshots" | "listSpend">;
}

/**
 * Use case, run after each scheduled poll (runtime/wiring.ts wirePoller): sends every account the digest of the
 * period that is due (config `digest`; core/digest.ts dueDigestPeriod), once. The digest is logged as an
 * alert whose `createdAt` is its period's end, so the log tells whether it went: one told (sent, or sent and
 * owed to EventBridge, which the next reading puts again) is never sent again; one SNS refused is tried
 * again at the next poll. An account whose digest fails is logged and the others go on.
 *
 * @param mine the accounts this call may send for: the scheduled poll passes those whose reading of the tick it
 *   claimed, so that two invocations of one tick cannot both find the digest unsent and both send it
 *
 * @returns the digests delivered by this call (none when `digest.every` is `off` or all were sent)
 */
export async function sendDueDigests(
  services: DigestPorts,
  mine: (account: AccountConfig) => boolean = () => true,
): Promise<Alert[]> {
  const { every, hourUtc } = services.config.digest;
  if (every === "off") return [];
  const period = dueDigestPeriod(services.now(), every, hourUtc);
  const sent: Alert[] = [];
  for (const account of services.config.accounts.filter(mine)) {
    try {
      const done = await services.store.findAlert(account.id, period.to, "digest");
      if (done && told(done)) continue;
      sent.push(await sendDigest(services, account, period));
    } catch (cause) {
      services.log.error("digest failed; it is tried again at the next poll", {
        accountId: account.id,
        period: period.key,
        error: cause instanceof Error ? cause.message : String(cause),
      });
    }
  }
  return sent;
}

/**
 * The accounts whose reading of a tick this invocation claimed (any status but `duplicate`): only those may
 * send their digest after the poll, so a duplicated invocation of the tick (EventBridge delivers at least
 * once) sends none, even when both would find the digest not yet logged.
 */
export function claimedIn(results: readonly PollResult[]): (account: AccountConfig) => boolean {
  const claimed = new Set(results.filter((r) => r.status !== "duplicate").map((r) => r.accountId));
  return (account) => claimed.has(account.id);
}

/** Builds one account's digest of `period` and delivers it like any alert (alert-delivery.ts). */
async function sendDigest(
  services: DigestPorts,
  account: AccountConfig,
  period: DigestPeriod,
): Promise<Alert> {
  const now = services.now();
  const settleSeconds = services.config.reservations.settleSeconds;
  const from = new Date(period.from);
  const to = new Date(period.to);
  // One ledger read serves both: the reconciliation's reaches settleSeconds before the period.
  const [state, ledger, snapshots] = await Promise.all([
    services.store.getAccountState(account.id),
    services.store.listSpend(account.id, ledgerRangeOf(from, to, settleSeconds)),
    snapshotsBetween(services, account.id, from, to),
  ]);
  const reconciliation = reconcile({ snapshots, entries: ledger, from, to, settleSeconds });
  const entries = ledger.filter((entry) => entry.at >= period.from);
  const view = computeBalanceView(state, balanceRulesOf(services, account, now));
  const latest = state?.latest;
  const unit = latest?.unit ?? entries[0]?.unit ?? "usd";
  const facts = digestFacts(
    entries,
    period,
    reconciliation.snapshots > 1 ? reconciliation.unexplained : undefined,
  );
  const forecast =
    view.available === null ? undefined : await forecastAccount(services, account.id, view.available, now);
  const recorded = state?.alert.level ?? INITIAL_ALERT_STATE.level;
  const digest: Alert = {
    accountId: account.id,
    alertType: "digest",
    severity: "info",
    // A digest moves no level: it carries the recorded one (`ok` before the first good reading).
    level: recorded === "unknown" ? "ok" : recorded,
    previousLevel: recorded,
    subject: digestSubject(account.id, facts, unit, latest?.remaining),
    createdAt: period.to,
    unit,
    ...(latest ? { remaining: latest.remaining } : {}),
    ...(view.available !== null ? { available: view.available } : {}),
    ...(forecast ? { hoursToExhaustion: forecast.hoursToExhaustion } : {}),
    digest: facts,
  };
  return deliver(services, digest, {
    ...(latest ? { snapshot: latest } : {}),
    ...(forecast ? { forecast } : {}),
    thresholds: account.thresholds,
    reserved: view.reserved,
    summary: {
      sections: digestSections(facts, unit),
      sms: digestSms(account.id, facts, unit, MAX_SMS_LENGTH),
    },
  });
}
