import { type AccountState, type Alert, INITIAL_ALERT_STATE } from "#core/account";
import type { OwedAlert } from "#core/alert-delivery";
import type { BalanceSnapshot } from "#core/balance";
import type { SpendEntry } from "#core/spend-ledger";
import type { ReadingPorts } from "#service/poll-account";
import type { PollRecord } from "#service/poll-port";
import type { AlertPublisher, BalanceSource, Log, MessageContext } from "#service/services";
import type { SpendRange } from "#service/spend-port";
import { MemoryBudgetStore } from "./memory-budget-store.ts";

/**
 * Plain fakes of the use cases' ports (no casts: each implements exactly the port's methods), for unit tests
 * of the use cases without DynamoDB, HeyGen or SNS. They record what the use case did with them.
 */

export const NOW = new Date("2026-11-30T12:00:00.000Z");

/** An IAM principal for use cases that take the caller (no access rule is configured: any caller may). */
export const CALLER = "arn:aws:iam::123456789012:user/test";

export function snapshotOf(accountId: string, remaining: number, at: Date = NOW): BalanceSnapshot {
  return {
    accountId,
    observedAt: at.toISOString(),
    source: "v3",
    billingType: "wallet",
    unit: "credits",
    remaining,
    pools: [{ name: "wallet", remaining, unit: "credits" }],
  };
}

export function stateOf(accountId: string, fields: Partial<AccountState> = {}): AccountState {
  return {
    accountId,
    alert: INITIAL_ALERT_STATE,
    reserved: 0,
    headroom: 0,
    openHolds: 0,
    version: 1,
    ...fields,
  };
}

type ReadingStore = ReadingPorts["store"];

/** OwedAlertStore over a map of account states, as store/owed-alerts-store.ts keeps them (by alert id). */
export function oweIn(states: Map<string, AccountState>, accountId: string, owed: OwedAlert): void {
  const state = states.get(accountId) ?? stateOf(accountId);
  states.set(accountId, {
    ...state,
    owedAlerts: { ...state.owedAlerts, [owed.alert.id ?? "?"]: structuredClone(owed) },
  });
}

export function settleIn(states: Map<string, AccountState>, accountId: string, alertId: string): void {
  const state = states.get(accountId);
  if (!state?.owedAlerts) return;
  const { [alertId]: _settled, ...rest } = state.owedAlerts;
  states.set(accountId, { ...state, owedAlerts: rest });
}

/** An account store holding one state per account in memory; every reading's claim lands unless refused. */
export class FakeAccountStore implements ReadingStore {
  readonly states = new Map<string, AccountState>();
  readonly alerts: Alert[] = [];
  readonly ended: PollRecord[] = [];
  readonly snapshots: BalanceSnapshot[] = [];
  /** Set to refuse every claim, as when another reading holds the account. */
  refuseClaims = false;
  /** The account's budgets, whose alerts every reading plans. */
  readonly budgets = new MemoryBudgetStore();

  listBudgets(accountId: string) {
    return this.budgets.listBudgets(accountId);
  }
  setBudgetAlertState(...args: Parameters<MemoryBudgetStore["setBudgetAlertState"]>) {
    return this.budgets.setBudgetAlertState(...args);
  }

  async getAccountState(accountId: string) {
    return this.states.get(accountId);
  }
  async claimReading(accountId: string) {
    if (this.refuseClaims) return undefined;
    const state = this.states.get(accountId) ?? stateOf(accountId);
    this.states.set(accountId, state);
    return state;
  }
  async putSnapshot(_accountId: string, _tick: string, snapshot: BalanceSnapshot) {
    this.snapshots.push(snapshot);
    return true;
  }
  async recordSnapshot(accountId: string, snapshot: BalanceSnapshot) {
    const state = { ...(this.states.get(accountId) ?? stateOf(accountId)), latest: snapshot };
    this.states.set(accountId, state);
    return state;
  }
  async endReading(accountId: string, reading: PollRecord) {
    this.ended.push(reading);
    const before = this.states.get(accountId) ?? stateOf(accountId);
    const state = { ...before, ...(reading.alert ? { alert: reading.alert } : {}) };
    this.states.set(accountId, state);
    return state;
  }
  async appendAlert(alert: Alert) {
    this.alerts.push(alert);
  }
  async oweAlert(accountId: string, owed: OwedAlert) {
    oweIn(this.states, accountId, owed);
  }
  async settleOwedAlert(accountId: string, alertId: string) {
    settleIn(this.states, accountId, alertId);
  }
  async listSnapshots() {
    return [...this.snapshots].reverse();
  }
  /** The spend ledger's entries, as a test sets them (listSpend answers those in the range). */
  readonly spend: SpendEntry[] = [];
  async listSpend(_accountId: string, range: SpendRange) {
    return this.spend.filter((entry) => entry.at >= range.from && entry.at < range.to);
  }
}

/** A balance source answering `remaining` credits, or throwing `failure` (a HeyGenError-like code). */
export class FakeBalanceSource implements BalanceSource {
  calls = 0;
  constructor(
    public remaining: number,
    public failure?: { code: string; message: string },
  ) {}
  async getBalance(accountId: string) {
    this.calls++;
    if (this.failure) throw Object.assign(new Error(this.failure.message), { code: this.failure.code });
    return snapshotOf(accountId, this.remaining);
  }
}

/** A publisher that accepts every alert (or refuses every one), keeping what it was given. */
export class FakePublisher implements AlertPublisher {
  readonly published: { alert: Alert; context: MessageContext }[] = [];
  constructor(private readonly refuse = false) {}
  async publish(alert: Alert, context: MessageContext) {
    if (this.refuse) throw new Error("the channel refused it");
    this.published.push({ alert, context });
    return { messageId: `m-${this.published.length}` };
  }
}

/** The one account of `config`. */
export function onlyAccount<A>(config: { accounts: A[] }): A {
  const [account] = config.accounts;
  if (account === undefined) throw new Error("the config has no account");
  return account;
}

export const quietLog: Log = { info() {}, warn() {}, error() {} };
