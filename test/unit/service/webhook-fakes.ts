import type { AccountConfig } from "#config/config";
import type { AccountState, Alert, Hold } from "#core/account";
import { type Estimate, estimate } from "#core/estimator";
import type { HoldRecord, KeyAnswer } from "#core/hold-record";
import { EstimateRequest, type EstimateRequestInput } from "#core/job-spec";
import { reservationIdFor } from "#core/reservation-id";
import type { ReservationWrite, WriteOutcome } from "#core/reservation-writes";
import { type ReservationView, reservationView } from "#core/reservations";
import type { BudgetStore } from "#service/budget-port";
import { cardForAccount } from "#service/checks";
import type { HoldPage } from "#service/reservation-port";
import type { Log, Services, TaskResultSender, VideoSource } from "#service/services";
import type { AccountStore } from "#service/store-port";
import type { TaskResult } from "#service/task-callback-port";
import type { WebhookLogEntry } from "#service/webhook-log-port";
import { FakeAccountStore, NOW } from "./fakes.ts";

/**
 * Plain fakes of the ports the webhook intake (service/webhooks.ts) reaches through `services.store`: the
 * primitive ReservationStore (holds read, planned writes applied, each batch recorded), the webhook log
 * (deliveries recognised by their keys) and the task callbacks (token and result meeting on the hold), over
 * FakeAccountStore for the urgent reading after a credit failure. Each records the calls made on it.
 */
export class WebhookFakeStore extends FakeAccountStore implements AccountStore {
  readonly holds = new Map<string, HoldRecord>();
  readonly getBudget: BudgetStore["getBudget"] = (accountId, budgetId) =>
    this.budgets.getBudget(accountId, budgetId);
  readonly saveBudget: BudgetStore["saveBudget"] = (budget, write) => this.budgets.saveBudget(budget, write);
  readonly setBudgetPause: BudgetStore["setBudgetPause"] = (accountId, budgetId, pause) =>
    this.budgets.setBudgetPause(accountId, budgetId, pause);
  readonly deleteBudget: BudgetStore["deleteBudget"] = (accountId, budgetId, version) =>
    this.budgets.deleteBudget(accountId, budgetId, version);
  /** Every batch of writes applied, in order (refused batches are not kept). */
  readonly applied: ReservationWrite[][] = [];
  /** The webhook log as recorded, oldest first. */
  readonly entries: { entry: WebhookLogEntry; keys: readonly string[] }[] = [];
  /** The job outcome stored per hold, and the waiting task's token with whether it was sent. */
  readonly results = new Map<string, TaskResult>();
  readonly tokens = new Map<string, { token: string; sent: boolean }>();
  /** The names of the reservation, webhook-log and task-callback port methods called, in order. */
  readonly calls: string[] = [];

  /** How many claims of a reading to fail (as a store that is down fails them) before claiming again. */
  failClaims = 0;

  override async claimReading(accountId: string) {
    if (this.failClaims > 0) {
      this.failClaims--;
      throw new Error("store unavailable");
    }
    return super.claimReading(accountId);
  }

  /** Runs once, just before the next writes are applied: a concurrent writer that changes a hold first. */
  beforeNextApply: (() => void) | undefined;

  /** Puts a hold in the store as a reserve would have left it. */
  put(hold: HoldRecord): HoldRecord {
    this.holds.set(hold.id, hold);
    return hold;
  }

  // ReservationStore
  async readHold(reservationId: string) {
    this.calls.push("readHold");
    return this.holds.get(reservationId);
  }
  async readKeyAnswer(): Promise<KeyAnswer | undefined> {
    this.calls.push("readKeyAnswer");
    return undefined;
  }
  /**
   * Applies a settle's writes: a hold change only on the version it read (`hold-unchanged`; the real store
   * also checks held and unexpired, which the planners already did on the same read). The counter and
   * capture writes are only kept. A reserve's or an Idempotency-Key's writes are not the webhook's: thrown.
   */
  async applyWrites(writes: ReservationWrite[]): Promise<WriteOutcome> {
    this.calls.push("applyWrites");
    const race = this.beforeNextApply;
    this.beforeNextApply = undefined;
    race?.();
    const unmodelled = writes.find(
      (w) => w.write === "new-hold" || w.write === "key-answer" || (w.write === "counter" && w.condition),
    );
    if (unmodelled) throw new Error(`not modelled by this fake: ${unmodelled.write}`);
    for (const write of writes) {
      if (write.write !== "hold-change") continue;
      const stored = this.holds.get(write.hold.id);
      if (stored?.version !== write.hold.version) return { applied: false, refused: ["hold-unchanged"] };
    }
    for (const write of writes) {
      if (write.write !== "hold-change") continue;
      const stored = this.holds.get(write.hold.id);
      if (stored) this.holds.set(stored.id, { ...stored, ...write.set, version: stored.version + 1 });
    }
    this.applied.push(writes);
    return { applied: true };
  }
  async getReservation(reservationId: string, now: Date): Promise<ReservationView | undefined> {
    this.calls.push("getReservation");
    const hold = this.holds.get(reservationId);
    return hold ? reservationView(hold, now) : undefined;
  }
  async listReservations(): Promise<HoldPage> {
    this.calls.push("listReservations");
    return { reservations: [] };
  }
  async oldestOpenHold(): Promise<Hold | undefined> {
    this.calls.push("oldestOpenHold");
    return undefined;
  }
  async correctCounters() {
    this.calls.push("correctCounters");
    return 0;
  }

  // WebhookLogStore
  async seenDelivery(accountId: string, keys: readonly string[]) {
    this.calls.push("seenDelivery");
    return this.entries.some((e) => e.entry.accountId === accountId && e.keys.some((k) => keys.includes(k)));
  }
  async recordDelivery(entry: WebhookLogEntry, keys: readonly string[]) {
    this.calls.push("recordDelivery");
    const seen = this.entries.some(
      (e) => e.entry.accountId === entry.accountId && e.keys.some((k) => keys.includes(k)),
    );
    if (!seen) this.entries.push({ entry, keys });
    return !seen;
  }
  async listWebhookEvents(accountId: string, limit: number) {
    this.calls.push("listWebhookEvents");
    return this.entries
      .map((e) => e.entry)
      .filter((e) => e.accountId === accountId)
      .reverse()
      .slice(0, limit);
  }

  // TaskCallbackStore
  async attachTaskToken(reservationId: string, taskToken: string) {
    this.calls.push("attachTaskToken");
    if (!this.holds.has(reservationId)) return { kind: "not_found" as const };
    this.tokens.set(reservationId, { token: taskToken, sent: false });
    const result = this.results.get(reservationId);
    return result ? { kind: "result" as const, result } : { kind: "attached" as const };
  }
  async recordTaskResult(reservationId: string, result: TaskResult) {
    this.calls.push("recordTaskResult");
    if (!this.holds.has(reservationId)) return { kind: "not_found" as const };
    const waiting = this.tokens.get(reservationId);
    const unsent = waiting && !waiting.sent ? { token: waiting.token } : undefined;
    const stored = this.results.get(reservationId);
    if (stored) {
      return { kind: "exists" as const, result: stored, ...(unsent ? { unsentToken: unsent.token } : {}) };
    }
    this.results.set(reservationId, result);
    return { kind: "recorded" as const, ...(unsent ? { waitingToken: unsent.token } : {}) };
  }
  async claimResultSend(reservationId: string, taskToken: string) {
    this.calls.push("claimResultSend");
    const waiting = this.tokens.get(reservationId);
    if (waiting?.token !== taskToken || waiting.sent) return false;
    waiting.sent = true;
    return true;
  }
  async unclaimResultSend(reservationId: string, taskToken: string) {
    this.calls.push("unclaimResultSend");
    const waiting = this.tokens.get(reservationId);
    if (waiting?.token === taskToken) waiting.sent = false;
  }

  // The rest of AccountStore, which the webhook does not use.
  async setPause(): Promise<AccountState> {
    throw new Error("not modelled by this fake: setPause");
  }
  async appendAudit(): Promise<void> {
    throw new Error("not modelled by this fake: appendAudit");
  }
  async listAudit(): Promise<never> {
    throw new Error("not modelled by this fake: listAudit");
  }
  async listAccountStates(accountIds: readonly string[]) {
    const states = new Map<string, AccountState>();
    for (const id of accountIds) {
      const state = this.states.get(id);
      if (state) states.set(id, state);
    }
    return states;
  }
  async findAlert(): Promise<Alert | undefined> {
    return undefined;
  }

  async listAlerts(): Promise<Alert[]> {
    return [...this.alerts];
  }
}

/** A Step Functions stand-in: keeps every result sent, or throws `failure` (an error named as SFN names them). */
export class FakeTaskResults implements TaskResultSender {
  readonly sent: ({ token: string; output: unknown } | { token: string; error: string; cause: string })[] =
    [];
  failure?: string;
  async succeed(taskToken: string, output: unknown) {
    if (this.failure) throw Object.assign(new Error("send refused"), { name: this.failure });
    this.sent.push({ token: taskToken, output });
  }
  async fail(taskToken: string, error: string, cause: string) {
    if (this.failure) throw Object.assign(new Error("send refused"), { name: this.failure });
    this.sent.push({ token: taskToken, error, cause });
  }
}

/** HeyGen's `GET /v3/videos/{id}`: the durations it knows, each read counted. */
export class FakeVideoSource implements VideoSource {
  readonly reads: string[] = [];
  constructor(readonly durations: Record<string, number> = {}) {}
  async getVideoDuration(videoId: string) {
    this.reads.push(videoId);
    return this.durations[videoId];
  }
}

/** A log that keeps its lines. */
export class RecordingLog implements Log {
  readonly lines: { level: "info" | "warn" | "error"; message: string; extra: Record<string, unknown> }[] =
    [];
  info(message: string, ...extra: Record<string, unknown>[]) {
    this.lines.push({ level: "info", message, extra: Object.assign({}, ...extra) });
  }
  warn(message: string, ...extra: Record<string, unknown>[]) {
    this.lines.push({ level: "warn", message, extra: Object.assign({}, ...extra) });
  }
  error(message: string, ...extra: Record<string, unknown>[]) {
    this.lines.push({ level: "error", message, extra: Object.assign({}, ...extra) });
  }
}

/**
 * A held hold of `account` as a reserve of `spec` leaves it (priced by the account's usd card, its estimate
 * and spec kept), or of a bare `amount` (no spec).
 */
export function heldHold(
  services: Services,
  account: AccountConfig,
  held: { spec: EstimateRequestInput } | { amount: number },
): HoldRecord {
  const base = {
    id: reservationIdFor(account.id, NOW),
    accountId: account.id,
    status: "held" as const,
    createdAt: NOW.toISOString(),
    expiresAtMs: NOW.getTime() + 3600_000,
    unit: "usd" as const,
    version: 1,
    captures: 0,
    ttl: Math.floor(NOW.getTime() / 1000) + 86_400,
  };
  if ("amount" in held) return { ...base, amount: held.amount };
  const spec = EstimateRequest.parse(held.spec);
  const card = cardForAccount(services, account, undefined, "usd");
  const priced: Estimate = estimate(spec, card);
  return { ...base, amount: priced.total, estimate: priced, spec };
}
