import { type AccountPause, type AccountState, type Hold, INITIAL_ALERT_STATE } from "#core/account";
import type { BalanceSnapshot } from "#core/balance";
import { budgetHoldEnd, mergeBudgetWrites } from "#core/budget-writes";
import { correctionBounds } from "#core/corrections";
import type { HoldRecord, KeyAnswer } from "#core/hold-record";
import { matchesLabels } from "#core/labels";
import { accountIdOfReservation } from "#core/reservation-id";
import type {
  BudgetWrite,
  ConditionName,
  CounterWrite,
  HoldChangeWrite,
  KeyAnswerWrite,
  ReservationWrite,
  WriteOutcome,
} from "#core/reservation-writes";
import { heldPart, holdStatus, type ReservationView, reservationView, roundAmount } from "#core/reservations";
import type { SpendEntry } from "#core/spend-ledger";
import type { AccountStateStore } from "#service/account-state-port";
import type { PollRules } from "#service/poll-port";
import type { HoldPage, ReservationQuery, ReservationStore } from "#service/reservation-port";
import type { SpendRange } from "#service/spend-port";
import { InvalidReservationRequestError } from "#service/store-errors";
import {
  applyBudgetWrite,
  type BudgetItems,
  budgetItemKey,
  budgetOfItem,
  budgetWriteRefused,
} from "./memory-budget-items.ts";
import {
  add,
  answerKey,
  type CaptureItem,
  copy,
  definedFields,
  type HoldItem,
  holdSk,
  itemOf,
  keyOf,
  LostAnswerError,
  matchesStatus,
} from "./memory-store-items.ts";

export { type CaptureItem, LostAnswerError } from "./memory-store-items.ts";

/**
 * An in-memory ReservationStore (and the account state it counts on) that applies planned writes all or
 * nothing, evaluating each named condition as the DynamoDB adapter's ConditionExpression does
 * (store/reservation-transactions.ts), answering refusals as WriteOutcome does, and correcting counters as
 * store/counter-corrections.ts does. Amounts are added as exact decimals, as DynamoDB's ADD does.
 *
 * Fault hooks: `loseNextAnswer` (the next apply lands, then its answer is lost: the SDK retries the same
 * transaction, which meets the writes it made, or the caller sees a timeout) and `beforeNextApply` (a
 * concurrent writer runs between the caller's read and its apply).
 */

export class MemoryReservationStore implements ReservationStore, AccountStateStore {
  readonly accounts = new Map<string, AccountState>();
  readonly holds = new Map<string, HoldItem>();
  readonly captures = new Map<string, CaptureItem>();
  /** The spend ledger entries written, in the order of their commits. */
  readonly ledger: SpendEntry[] = [];

  async listSpend(accountId: string, range: SpendRange): Promise<SpendEntry[]> {
    return this.ledger
      .filter((e) => e.accountId === accountId && e.at >= range.from && e.at < range.to)
      .sort((a, b) => a.at.localeCompare(b.at))
      .map(copy);
  }
  readonly keyAnswers = new Map<string, KeyAnswer>();
  /** The budgets' items, which budgeted holds move (shared with a MemoryBudgetStore). */
  readonly budgetItems: BudgetItems = new Map();
  /** Every transaction that landed, in order. */
  readonly transactions: ReservationWrite[][] = [];
  /** How many times applyWrites was called, and correctCounters. */
  applyCalls = 0;
  correctionCalls = 0;
  private readonly lostAnswers: ("retried" | "token-replayed" | "thrown")[] = [];
  private readonly concurrent: (() => Promise<unknown> | unknown)[] = [];

  // ---- fault hooks ----

  /**
   * The next apply is made, and its answer lost:
   * - `retried` (default): the same transaction is sent again and judged afresh against the writes the first
   *   made (what the planners defend against: a resend DynamoDB does not recognise);
   * - `token-replayed`: the SDK resends it with the same ClientRequestToken, which the SDK fills in once per
   *   command, so DynamoDB answers it as applied without applying it again (within its 10-minute window);
   * - `thrown`: the caller sees LostAnswerError.
   */
  loseNextAnswer(how: "retried" | "token-replayed" | "thrown" = "retried"): void {
    this.lostAnswers.push(how);
  }

  /** Faults queued and not yet met by an apply (a plan answered without writing leaves its fault queued). */
  get pendingFaults(): number {
    return this.lostAnswers.length + this.concurrent.length;
  }

  /** Runs `writer` just before the next apply is evaluated (after the caller read what it planned on). */
  beforeNextApply(writer: () => Promise<unknown> | unknown): void {
    this.concurrent.push(writer);
  }

  // ---- ReservationStore ----

  async readHold(reservationId: string): Promise<HoldRecord | undefined> {
    if (accountIdOfReservation(reservationId) === undefined) return undefined;
    const item = this.holds.get(reservationId);
    return item && copy(item.record);
  }

  async readKeyAnswer(accountId: string, operation: string, scope: string, key: string) {
    const answer = this.keyAnswers.get(keyOf(accountId, operation, scope, key));
    return answer && copy(answer);
  }

  async applyWrites(writes: ReservationWrite[]): Promise<WriteOutcome> {
    this.applyCalls++;
    const writer = this.concurrent.shift();
    if (writer) await writer();
    const outcome = this.transact(writes);
    const lost = this.lostAnswers.shift();
    if (lost === "thrown") throw new LostAnswerError();
    if (lost === "retried") return this.transact(writes);
    if (lost === "token-replayed" && outcome.applied) return { applied: true };
    return outcome;
  }

  async getReservation(reservationId: string, now: Date): Promise<ReservationView | undefined> {
    if (accountIdOfReservation(reservationId) === undefined) return undefined;
    const item = this.holds.get(reservationId);
    return item && reservationView(item.record, now);
  }

  async listReservations(accountId: string, query: ReservationQuery, now: Date): Promise<HoldPage> {
    const after = query.cursor === undefined ? undefined : this.decodeCursor(accountId, query.cursor);
    const items = [...this.holds.values()]
      .filter((item) => item.record.accountId === accountId)
      .sort((a, b) => (holdSk(a.record.id) < holdSk(b.record.id) ? 1 : -1))
      .filter((item) => after === undefined || holdSk(item.record.id) < after);
    const reservations: ReservationView[] = [];
    for (const item of items) {
      if (!matchesStatus(item.record, query.status, now)) continue;
      if (!matchesLabels(item.record.labels, query.labels ?? {})) continue;
      reservations.push(reservationView(item.record, now));
      if (reservations.length === query.limit) {
        // As DynamoDB: a page that reached its Limit carries a LastEvaluatedKey, even when nothing follows.
        return { reservations, nextCursor: Buffer.from(holdSk(item.record.id)).toString("base64url") };
      }
    }
    return { reservations };
  }

  async oldestOpenHold(accountId: string, now: Date): Promise<Hold | undefined> {
    const open = [...this.holds.values()]
      .filter((item) => item.record.accountId === accountId && item.open !== undefined)
      .map((item) => item.record)
      .sort((a, b) => (`${a.createdAt}#${a.id}` < `${b.createdAt}#${b.id}` ? -1 : 1))
      .find((hold) => holdStatus(hold, now) === "held");
    if (open === undefined) return undefined;
    const { accountId: _accountId, ttl: _ttl, ...hold } = copy(open);
    return hold;
  }

  async correctCounters(accountId: string, now: Date, settledUpToMs?: number): Promise<number> {
    this.correctionCalls++;
    const nowMs = now.getTime();
    let released = 0;
    let endedHolds = 0;
    let corrected = 0;
    const budgetEnds: BudgetWrite[] = [];
    for (const item of this.holds.values()) {
      const { record, open } = item;
      if (record.accountId !== accountId || open === undefined) continue;
      // Found by openSk `E#<expiry>` up to now; written only if `expiresAtMs <= :now` still.
      if (open.expiresAtMs > nowMs || record.expiresAtMs > nowMs) continue;
      released += heldPart(record);
      endedHolds += 1;
      corrected += 1;
      if (record.budget) {
        const change = { released: heldPart(record), committed: 0, ends: true };
        budgetEnds.push(budgetHoldEnd(accountId, record.budget, change, now) as BudgetWrite);
      }
      item.open = undefined;
      record.version += 1;
    }
    // As the adapter: one write per budget; one found in another period moves only the holds' slots.
    for (const write of mergeBudgetWrites(budgetEnds)) {
      const refused = budgetWriteRefused(this.budgetItems, write);
      const { condition: _condition, ...slotOnly } = write;
      applyBudgetWrite(this.budgetItems, refused ? { ...slotOnly, heldDelta: 0, committedDelta: 0 } : write);
    }
    if (settledUpToMs !== undefined) {
      for (const capture of this.captures.values()) {
        if (capture.accountId !== accountId || !capture.open) continue;
        if (Date.parse(capture.committedAt) > settledUpToMs) continue;
        released += capture.amount;
        corrected += 1;
        capture.open = false;
      }
    }
    if (corrected > 0) {
      const state = this.stateForUpdate(accountId);
      const amount = roundAmount(released);
      state.reserved = add(state.reserved, -amount);
      state.headroom = add(state.headroom, amount);
      state.openHolds -= endedHolds;
      state.version += 1;
    }
    return corrected;
  }

  // ---- AccountStateStore ----

  async getAccountState(accountId: string): Promise<AccountState | undefined> {
    const state = this.accounts.get(accountId);
    return state && copy(state);
  }

  async listAccountStates(accountIds: readonly string[]): Promise<Map<string, AccountState>> {
    const states = new Map<string, AccountState>();
    for (const id of accountIds) {
      const state = this.accounts.get(id);
      if (state) states.set(id, copy(state));
    }
    return states;
  }

  async setPause(accountId: string, pause: AccountPause | undefined): Promise<AccountState> {
    const state = this.stateForUpdate(accountId);
    if (pause) state.paused = copy(pause);
    else delete state.paused;
    return copy(state);
  }

  /**
   * A poll's snapshot, as store/poll-store.ts records it: kept unless an older one, `headroom = remaining −
   * reserveFloor − reserved` from the counter as it stands, then the counter corrected.
   */
  async recordSnapshot(
    accountId: string,
    snapshot: BalanceSnapshot,
    rules: PollRules,
  ): Promise<AccountState> {
    const state = this.stateForUpdate(accountId);
    if (state.latest === undefined || state.latest.observedAt <= snapshot.observedAt) {
      state.latest = copy(snapshot);
      state.headroom = add(roundAmount(snapshot.remaining - rules.reserveFloor), -state.reserved);
      state.version += 1;
    }
    const observedAt = state.latest?.observedAt ?? snapshot.observedAt;
    const bounds = correctionBounds(rules.now, observedAt, rules.settleSeconds);
    await this.correctCounters(accountId, rules.now, bounds.settledUpToMs);
    return copy(this.stateForUpdate(accountId));
  }

  // ---- what tests read ----

  /** The account's counters as stored. */
  counters(accountId: string) {
    const state = this.accounts.get(accountId);
    if (state === undefined) return undefined;
    const { reserved, headroom, openHolds, version } = state;
    return { reserved, headroom, openHolds, version };
  }

  /** Whether the hold's held part is in the open index (counted in `reserved`). */
  isCounted(reservationId: string): boolean {
    return this.holds.get(reservationId)?.open !== undefined;
  }

  /** The hold's committed parts, in order. */
  capturesOf(reservationId: string): CaptureItem[] {
    return [...this.captures.values()]
      .filter((capture) => capture.reservationId === reservationId)
      .sort((a, b) => a.n - b.n);
  }

  // ---- the transaction ----

  private transact(writes: ReservationWrite[]): WriteOutcome {
    const targets = writes.map(itemOf);
    if (new Set(targets).size !== targets.length) {
      // DynamoDB refuses the whole request: a bug in a planner, never an answer.
      throw new Error(
        "ValidationException: Transaction request cannot include multiple operations on one item",
      );
    }
    const failed = writes.map((write) => this.refuses(write));
    if (!failed.includes(true)) {
      for (const write of writes) this.apply(write);
      this.transactions.push(copy(writes));
      return { applied: true };
    }
    const names = writes.map((write) => ("condition" in write ? write.condition?.name : undefined));
    const refused = [...new Set(names)].filter(
      (name): name is ConditionName => name !== undefined && failed[names.indexOf(name)] === true,
    );
    const counter = writes.find((write): write is CounterWrite => write.write === "counter");
    const account =
      refused.includes("headroom-covers") && counter ? this.accounts.get(counter.accountId) : undefined;
    const keyed = writes.find((write): write is KeyAnswerWrite => write.write === "key-answer");
    const answer =
      refused.includes("key-unused") && keyed ? this.keyAnswers.get(answerKey(keyed)) : undefined;
    const budgetWrite = writes.find(
      (write, i): write is BudgetWrite => write.write === "budget" && failed[i] === true,
    );
    const budgetItem =
      budgetWrite && this.budgetItems.get(budgetItemKey(budgetWrite.accountId, budgetWrite.budgetId));
    return {
      applied: false,
      refused,
      ...(account ? { account: copy(account) } : {}),
      ...(answer ? { answer: copy(answer) } : {}),
      ...(budgetItem ? { budget: budgetOfItem(budgetItem) } : {}),
    };
  }

  /** True when the write's ConditionExpression fails on the items as they are. */
  private refuses(write: ReservationWrite): boolean {
    switch (write.write) {
      case "counter": {
        if (write.condition === undefined) return false;
        // `headroom >= :delta` on a missing item (or attribute) is false.
        const state = this.accounts.get(write.accountId);
        if (state === undefined || !(state.headroom >= write.reservedDelta)) return true;
        if (write.condition.notPaused && state.paused !== undefined) return true;
        const slots = write.condition.maxOpenHolds;
        if (slots !== undefined && !(state.openHolds < slots)) return true;
        const guard = write.condition.guard;
        if (guard === undefined) return false;
        const latest = state.latest;
        return !(
          latest !== undefined &&
          latest.observedAt >= guard.observedAtOrAfter &&
          latest.unit === guard.unit
        );
      }
      case "new-hold":
        return this.holds.has(write.hold.id);
      case "hold-change":
        return !this.holdUnchanged(write);
      case "capture":
      case "ledger":
        return false;
      case "key-answer": {
        const old = this.keyAnswers.get(answerKey(write));
        return old !== undefined && !(old.expiresAtMs <= write.atMs);
      }
      case "budget":
        return budgetWriteRefused(this.budgetItems, write);
    }
  }

  /** `version = :version AND status = held AND expiresAtMs > :now AND attribute_exists(openPk)`. */
  private holdUnchanged(write: HoldChangeWrite): boolean {
    const item = this.holds.get(write.hold.id);
    if (item === undefined) return false;
    const { record } = item;
    return (
      record.version === write.hold.version &&
      record.status === "held" &&
      record.expiresAtMs > write.atMs &&
      item.open !== undefined
    );
  }

  private apply(write: ReservationWrite): void {
    switch (write.write) {
      case "counter": {
        const state = this.stateForUpdate(write.accountId);
        state.reserved = add(state.reserved, write.reservedDelta);
        state.headroom = add(state.headroom, -write.reservedDelta);
        state.openHolds += write.openHoldsDelta;
        state.version += 1;
        return;
      }
      case "new-hold": {
        const record = copy(write.hold);
        this.holds.set(record.id, { record, open: { expiresAtMs: record.expiresAtMs } });
        return;
      }
      case "hold-change": {
        const item = this.holds.get(write.hold.id);
        if (item === undefined) throw new Error(`hold-change applied to a missing hold ${write.hold.id}`);
        Object.assign(item.record, copy(definedFields(write.set)));
        item.record.version += 1;
        if (write.newExpiresAtMs !== undefined) {
          if (item.open !== undefined) item.open = { expiresAtMs: write.newExpiresAtMs };
          item.record.ttl += Math.floor((write.newExpiresAtMs - write.hold.expiresAtMs) / 1000);
        }
        if (write.endsCount) item.open = undefined;
        return;
      }
      case "capture": {
        const { hold, n, amount, committedAt } = write;
        this.captures.set(`${hold.id}#${n}`, {
          accountId: hold.accountId,
          reservationId: hold.id,
          n,
          amount,
          committedAt,
          ttl: hold.ttl,
          open: true,
        });
        return;
      }
      case "key-answer":
        this.keyAnswers.set(answerKey(write), copy(write.answer));
        return;
      case "budget":
        applyBudgetWrite(this.budgetItems, write);
        return;
      case "ledger":
        this.ledger.push(copy(write.entry));
        return;
    }
  }

  /** The state item an ADD creates when absent (as toAccountState reads such an item). */
  protected stateForUpdate(accountId: string): AccountState {
    let state = this.accounts.get(accountId);
    if (state === undefined) {
      state = { accountId, alert: INITIAL_ALERT_STATE, reserved: 0, headroom: 0, openHolds: 0, version: 0 };
      this.accounts.set(accountId, state);
    }
    return state;
  }

  private decodeCursor(accountId: string, cursor: string): string {
    const sk = Buffer.from(cursor, "base64url").toString();
    const owner = sk.startsWith("HOLD#") ? accountIdOfReservation(sk.slice("HOLD#".length)) : undefined;
    if (owner !== accountId) {
      throw new InvalidReservationRequestError("cursor", "is not a cursor of this listing", "/query/cursor");
    }
    return sk;
  }
}
