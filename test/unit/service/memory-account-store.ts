import type { AccountConfig, QuotaGuardConfig } from "#config/config";
import type { AccountPause, AccountState, Alert } from "#core/account";
import type { OwedAlert } from "#core/alert-delivery";
import type { AuditEntry } from "#core/audit";
import type { BalanceSnapshot } from "#core/balance";
import { createRateCardRegistry } from "#core/rate-card";
import type { AuditRecord } from "#service/audit-port";
import type { BudgetStore } from "#service/budget-port";
import type { SnapshotRange } from "#service/history-port";
import { type PollRecord, READING_LEASE_SECONDS, type ReadingClaim } from "#service/poll-port";
import type { BalanceSource, Services } from "#service/services";
import type { AccountStore } from "#service/store-port";
import type { TaskResult } from "#service/task-callback-port";
import type { WebhookLogEntry } from "#service/webhook-log-port";
import { NOW, oweIn, quietLog, settleIn } from "./fakes.ts";
import { MemoryBudgetStore } from "./memory-budget-store.ts";
import { MemoryReservationStore } from "./memory-reservation-store.ts";
import { copy } from "./memory-store-items.ts";

/**
 * The whole AccountStore for the use cases that take Services (reserveCredit, checkJobs): the in-memory
 * reservation store and account state, with a poll's claim and end written as store/poll-store.ts writes them
 * (so a BalanceReader's refresh runs for real), a history kept in lists, and the webhook and task-callback
 * ports, which these use cases never call, refusing loudly.
 */
export class MemoryAccountStore extends MemoryReservationStore implements AccountStore {
  readonly snapshots: BalanceSnapshot[] = [];
  readonly alerts: Alert[] = [];
  /** The audit log, oldest first; read newest first, a cursor being the index to go on from. */
  readonly audit: AuditEntry[] = [];
  readonly budgets = new MemoryBudgetStore(this.audit, this.budgetItems);
  async appendAudit(entry: AuditEntry) {
    this.audit.push(structuredClone(entry));
  }
  async listAudit(accountId: string, query: { limit: number; cursor?: string }) {
    const mine = this.audit.filter((e) => e.accountId === accountId).reverse();
    const from = query.cursor === undefined ? 0 : Number(query.cursor);
    const entries = mine.slice(from, from + query.limit);
    const next = from + query.limit;
    return { entries, ...(next < mine.length ? { nextCursor: String(next) } : {}) };
  }
  readonly getBudget: BudgetStore["getBudget"] = (accountId, budgetId) =>
    this.budgets.getBudget(accountId, budgetId);
  readonly listBudgets: BudgetStore["listBudgets"] = (accountId) => this.budgets.listBudgets(accountId);
  readonly saveBudget: BudgetStore["saveBudget"] = (budget, write, audit) =>
    this.budgets.saveBudget(budget, write, audit);
  readonly setBudgetPause: BudgetStore["setBudgetPause"] = (accountId, budgetId, pause, audit) =>
    this.budgets.setBudgetPause(accountId, budgetId, pause, audit);
  readonly setBudgetAlertState: BudgetStore["setBudgetAlertState"] = (accountId, budgetId, state) =>
    this.budgets.setBudgetAlertState(accountId, budgetId, state);
  readonly deleteBudget: BudgetStore["deleteBudget"] = (accountId, budgetId, version, audit) =>
    this.budgets.deleteBudget(accountId, budgetId, version, audit);

  override async setPause(accountId: string, pause: AccountPause | undefined, audit?: AuditRecord) {
    if (audit) this.audit.push(structuredClone(audit.entry));
    return super.setPause(accountId, pause);
  }

  async claimReading(accountId: string, claim: ReadingClaim, now: Date): Promise<AccountState | undefined> {
    const state = this.stateForUpdate(accountId);
    const iso = now.toISOString();
    if (state.readingLeaseUntil !== undefined && !(state.readingLeaseUntil < iso)) return undefined;
    if ("tick" in claim) {
      if (state.lastPollTick === claim.tick) return undefined;
      state.lastPollTick = claim.tick;
    } else {
      const cutoff = new Date(now.getTime() - claim.minIntervalSeconds * 1000).toISOString();
      if (state.lastRefreshAt !== undefined && !(state.lastRefreshAt <= cutoff)) return undefined;
      if (state.lastPollAt !== undefined && !(state.lastPollAt <= cutoff)) return undefined;
      state.lastRefreshAt = iso;
    }
    state.readingLeaseUntil = new Date(now.getTime() + READING_LEASE_SECONDS * 1000).toISOString();
    state.version += 1;
    return copy(state);
  }

  async endReading(accountId: string, reading: PollRecord): Promise<AccountState> {
    const state = this.stateForUpdate(accountId);
    if (reading.alert) state.alert = copy(reading.alert);
    delete state.readingLeaseUntil;
    if (reading.snapshot !== undefined) {
      state.lastPollAt = reading.lastPollAt;
      delete state.retryNotBefore;
    } else if (reading.retryNotBefore) {
      state.retryNotBefore = copy(reading.retryNotBefore);
    } else if (reading.retryNotBefore === null) {
      delete state.retryNotBefore;
    }
    state.version += 1;
    return copy(state);
  }

  async putSnapshot(_accountId: string, _tick: string, snapshot: BalanceSnapshot): Promise<boolean> {
    this.snapshots.push(copy(snapshot));
    return true;
  }

  /** As the store answers: observed within [since, until], newest first, at most `limit`. */
  async listSnapshots(accountId: string, range?: SnapshotRange): Promise<BalanceSnapshot[]> {
    const since = range?.since?.getTime() ?? 0;
    const until = range?.until?.getTime() ?? Number.MAX_SAFE_INTEGER;
    return this.snapshots
      .filter((s) => s.accountId === accountId)
      .filter((s) => Date.parse(s.observedAt) >= since && Date.parse(s.observedAt) <= until)
      .reverse()
      .slice(0, range?.limit ?? Number.MAX_SAFE_INTEGER);
  }

  async appendAlert(alert: Alert): Promise<void> {
    this.alerts.push(copy(alert));
  }

  async oweAlert(accountId: string, owed: OwedAlert): Promise<void> {
    oweIn(this.accounts, accountId, owed);
  }

  async settleOwedAlert(accountId: string, alertId: string): Promise<void> {
    settleIn(this.accounts, accountId, alertId);
  }

  async findAlert(
    accountId: string,
    createdAt: string,
    alertType: Alert["alertType"],
  ): Promise<Alert | undefined> {
    return this.alerts.findLast(
      (a) => a.accountId === accountId && a.createdAt === createdAt && a.alertType === alertType,
    );
  }

  async listAlerts(accountId: string, limit: number): Promise<Alert[]> {
    return this.alerts
      .filter((a) => a.accountId === accountId)
      .reverse()
      .slice(0, limit);
  }

  seenDelivery(_accountId: string, _keys: readonly string[]): Promise<boolean> {
    return notHere("seenDelivery");
  }
  recordDelivery(_entry: WebhookLogEntry, _keys: readonly string[], _days: number): Promise<boolean> {
    return notHere("recordDelivery");
  }
  listWebhookEvents(_accountId: string, _limit: number): Promise<WebhookLogEntry[]> {
    return notHere("listWebhookEvents");
  }
  attachTaskToken(_reservationId: string, _taskToken: string): Promise<{ kind: "not_found" }> {
    return notHere("attachTaskToken");
  }
  recordTaskResult(_reservationId: string, _result: TaskResult): Promise<{ kind: "not_found" }> {
    return notHere("recordTaskResult");
  }
  claimResultSend(_reservationId: string, _taskToken: string): Promise<boolean> {
    return notHere("claimResultSend");
  }
  unclaimResultSend(_reservationId: string, _taskToken: string): Promise<void> {
    return notHere("unclaimResultSend");
  }
}

function notHere(method: string): never {
  throw new Error(`MemoryAccountStore.${method}: not a port of the use cases tested with it`);
}

/** Services over `store`, with HeyGen answered by `balance` and the clock at `now()`. */
export function servicesOf(
  config: QuotaGuardConfig,
  store: MemoryAccountStore,
  balance: BalanceSource,
  now: () => Date = () => NOW,
): Services {
  return {
    config,
    store,
    rateCards: createRateCardRegistry(config.rateCards),
    balanceSource: (_account: AccountConfig) => balance,
    now,
    log: quietLog,
  };
}
