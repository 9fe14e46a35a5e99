import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import {
  type AccountState,
  type Alert,
  type AlertState,
  type Hold,
  INITIAL_ALERT_STATE,
} from "#core/account";
import type { BalanceSnapshot, Unit } from "#core/balance";
import { accountIdOfReservation, reservationIdFor } from "#core/reservation-id";
import {
  type BalanceRules,
  computeBalanceView,
  exactHeadroom,
  holdStatus,
  holdsToArchive,
  isStorableAmount,
  MIN_AMOUNT,
  type ReservationStatus,
  type ReservationView,
  reservationView,
  roundAmount,
  type Shortfall,
  shortfallOf,
} from "#core/reservations";
import { conditionFailure } from "./condition-failure.ts";
import * as history from "./history.ts";
import { definedOnly, expiryEpochSeconds, reservationKey, stateKey, toAccountState } from "./state-item.ts";

/**
 * The DynamoDB repository: account state, reservations, balance history and the alert log, all in the one
 * table of table.ts. The rules for what counts and why each write is shaped as it is are in
 * #core/reservations.
 */

export interface ReserveRequest {
  /** From reservationIdFor(accountId, idempotencyKey). */
  id: string;
  amount: number;
  ttlSeconds: number;
  idempotencyKey?: string;
  estimate?: unknown;
}

/**
 * The balance a hold was priced against must still be the recorded one: observed no earlier than
 * `observedAtOrAfter` (fresh enough) and in `unit`. Checked inside the reserve's one conditional write, so a
 * reserve needs no read first.
 */
export interface BalanceGuard {
  /** ISO time; `observedAt` strings are canonical ISO (toISOString), so they compare in time order. */
  observedAtOrAfter: string;
  unit: Unit;
}

export type ReserveResult =
  | { kind: "created"; hold: Hold }
  | { kind: "existing"; hold: Hold }
  | ({ kind: "insufficient" } & Shortfall)
  | { kind: "no-balance" }
  /** The recorded balance is older than the guard allows, or in another unit: read it afresh and retry. */
  | { kind: "stale" };

export type EndHoldResult =
  | { kind: "ok"; hold: Hold; state: AccountState }
  | { kind: "not_found" }
  | { kind: "not_held"; hold: Hold; status: Exclude<ReservationStatus, "held"> };

export interface StoredReservation {
  hold: Hold;
  view: ReservationView;
  /** True once a poll moved it out of the state item (it no longer counts). */
  archived: boolean;
}

export interface PollRecord {
  /** The schedule tick (ISO time) this poll ran for. */
  tick: string;
  /** Undefined for a failed poll: then only the alert state changes. */
  snapshot?: BalanceSnapshot;
  /** Omitted by on-demand refreshes, which record balances but leave alerting to the schedule. */
  alert?: AlertState;
  lastPollAt: string;
  /** An on-demand refresh (records lastRefreshAt, for the refresh rate limit). */
  refresh?: boolean;
}

export interface PollRules extends BalanceRules {
  retentionDays: number;
}

/**
 * The account's state item has no room for another hold (DynamoDB items are limited to 400 KB). Holds
 * leave the item as they end and settle, so room comes back with the next polls.
 */
export class HoldCapacityError extends Error {
  override readonly name = "HoldCapacityError";
  constructor(readonly accountId: string) {
    super(
      `account ${accountId} has too many open holds to take another; release or commit some, or retry after the next poll`,
    );
  }
}

/** DynamoDB refuses a write that would make the item larger than its 400 KB limit. */
function isItemTooLarge(error: unknown): boolean {
  return error instanceof Error && error.name === "ValidationException" && /item size/i.test(error.message);
}

/** A request that cannot be stored as given; `field` names the offending input. */
export class InvalidReservationRequestError extends Error {
  override readonly name = "InvalidReservationRequestError";
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field} ${message}`);
  }
}

/** Concurrent writers kept winning the version race; the caller may retry (HTTP 409/503). */
export class StoreConflictError extends Error {
  override readonly name = "StoreConflictError";
  constructor(
    readonly accountId: string,
    readonly operation: "reserve" | "savePoll",
    attempts: number,
  ) {
    super(`${operation} for account ${accountId} lost to concurrent writes ${attempts} times`);
  }
}

const MAX_RESERVE_ATTEMPTS = 5;

function guardHolds(state: AccountState, guard: BalanceGuard): boolean {
  const latest = state.latest;
  return latest !== undefined && latest.observedAt >= guard.observedAtOrAfter && latest.unit === guard.unit;
}
/**
 * A poll's exact recomputation is conditional on the item's version, which every reserve bumps; under a
 * stream of reserves it may lose several times, so it retries more, after a short random pause.
 */
const MAX_POLL_ATTEMPTS = 30;
const POLL_RETRY_PAUSE_MS = 20;
const BATCH_GET_SIZE = 100;
const MAX_BATCH_ROUNDS = 5;

export class DynamoStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** The account's state in one strongly consistent read; undefined before its first poll. */
  async getAccountState(accountId: string): Promise<AccountState | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: stateKey(accountId), ConsistentRead: true }),
    );
    return Item === undefined ? undefined : toAccountState(Item);
  }

  /** The states of the given accounts that have one, keyed by account id. */
  async listAccountStates(accountIds: readonly string[]): Promise<Map<string, AccountState>> {
    const states = new Map<string, AccountState>();
    for (let start = 0; start < accountIds.length; start += BATCH_GET_SIZE) {
      const batch = accountIds.slice(start, start + BATCH_GET_SIZE);
      for (const item of await this.batchGet(batch.map(stateKey))) {
        const state = toAccountState(item);
        states.set(state.accountId, state);
      }
    }
    return states;
  }

  private async batchGet(keysToRead: Record<string, unknown>[]): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let pending = keysToRead;
    for (let round = 0; pending.length > 0; round++) {
      if (round === MAX_BATCH_ROUNDS) throw new Error(`BatchGet left ${pending.length} keys unprocessed`);
      if (round > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** round));
      const { Responses, UnprocessedKeys } = await this.doc.send(
        new BatchGetCommand({
          RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } },
        }),
      );
      items.push(...(Responses?.[this.tableName] ?? []));
      pending = UnprocessedKeys?.[this.tableName]?.Keys ?? [];
    }
    return items;
  }

  /**
   * Holds `amount` if the exact available covers it, atomically under any concurrency. A repeated id
   * (Idempotency-Key) returns the hold it already made, even after a poll archived it.
   */
  async reserve(
    accountId: string,
    request: ReserveRequest,
    rules: BalanceRules,
    guard?: BalanceGuard,
  ): Promise<ReserveResult> {
    validateReserveRequest(accountId, request);
    const hold = newHold(request, rules.now);
    const result = await this.reserveInStateItem(accountId, hold, rules, guard);
    return request.idempotencyKey === undefined ? result : this.preferArchived(accountId, hold, result);
  }

  private async reserveInStateItem(
    accountId: string,
    hold: Hold,
    rules: BalanceRules,
    guard: BalanceGuard | undefined,
  ): Promise<ReserveResult> {
    for (let attempt = 0; attempt < MAX_RESERVE_ATTEMPTS; attempt++) {
      const attemptResult = await this.tryHold(accountId, hold, guard);
      if (attemptResult === "created") return { kind: "created", hold };
      const old = attemptResult.refusedBy;
      if (old === undefined) return { kind: "no-balance" };
      const existing = old.holds[hold.id];
      if (existing !== undefined) return { kind: "existing", hold: existing };
      if (guard !== undefined && !guardHolds(old, guard)) return { kind: "stale" };
      const { available } = computeBalanceView(old, rules);
      if (available === null) return { kind: "no-balance" };
      if (available < hold.amount) return { kind: "insufficient", ...shortfallOf(hold.amount, available) };
      // The counter lags the truth (releases, expiries); make it exact once, then try again.
      await this.reconcileHeadroom(accountId, old.version, available);
    }
    throw new StoreConflictError(accountId, "reserve", MAX_RESERVE_ATTEMPTS);
  }

  /**
   * The one conditional write of a reserve. Nothing is returned on success: the state item grows with its
   * holds, and the caller already knows everything the answer needs.
   */
  private async tryHold(
    accountId: string,
    hold: Hold,
    guard: BalanceGuard | undefined,
  ): Promise<"created" | { refusedBy: AccountState | undefined }> {
    const guardCondition = guard ? " AND latest.observedAt >= :freshFrom AND latest.#unit = :unit" : "";
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: stateKey(accountId),
          UpdateExpression: "SET holds.#id = :hold, headroom = headroom - :amount ADD version :one",
          ConditionExpression: `headroom >= :amount AND attribute_not_exists(holds.#id)${guardCondition}`,
          ExpressionAttributeNames: { "#id": hold.id, ...(guard ? { "#unit": "unit" } : {}) },
          ExpressionAttributeValues: {
            ":hold": definedOnly(hold),
            ":amount": hold.amount,
            ":one": 1,
            ...(guard ? { ":freshFrom": guard.observedAtOrAfter, ":unit": guard.unit } : {}),
          },
          ReturnValues: "NONE",
          ReturnValuesOnConditionCheckFailure: "ALL_OLD",
        }),
      );
      return "created";
    } catch (error) {
      if (isItemTooLarge(error)) throw new HoldCapacityError(accountId);
      const failure = conditionFailure(error);
      if (failure === undefined) throw error;
      return { refusedBy: failure.oldItem && toAccountState(failure.oldItem) };
    }
  }

  /** Sets headroom to the exact available, unless another write got there first (then the caller retries). */
  private async reconcileHeadroom(accountId: string, seenVersion: number, available: number): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: stateKey(accountId),
          UpdateExpression: "SET headroom = :available ADD version :one",
          ConditionExpression: "version = :seen",
          ExpressionAttributeValues: { ":available": available, ":one": 1, ":seen": seenVersion },
        }),
      );
    } catch (error) {
      if (conditionFailure(error) === undefined) throw error;
    }
  }

  /**
   * An Idempotency-Key whose hold a poll already archived must not make a second hold: the archived one is
   * the answer. Archiving happens before removal, so a hold just created for such a key always finds it here
   * and is withdrawn again.
   */
  private async preferArchived(accountId: string, hold: Hold, result: ReserveResult): Promise<ReserveResult> {
    const archived = await this.findArchived(accountId, hold.id);
    if (archived === undefined) return result;
    if (result.kind === "created") await this.withdrawHold(accountId, hold);
    return { kind: "existing", hold: archived.hold };
  }

  /** Removes a hold this request itself just made; headroom stays conservative until reconciled. */
  private async withdrawHold(accountId: string, hold: Hold): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: stateKey(accountId),
          UpdateExpression: "REMOVE holds.#id ADD version :one",
          ConditionExpression: "holds.#id.createdAt = :createdAt",
          ExpressionAttributeNames: { "#id": hold.id },
          ExpressionAttributeValues: { ":one": 1, ":createdAt": hold.createdAt },
        }),
      );
    } catch (error) {
      if (conditionFailure(error) === undefined) throw error;
    }
  }

  /** Ends a held, unexpired hold as spent; an actual above the hold lowers headroom by the excess. */
  async commit(reservationId: string, actualAmount: number | undefined, now: Date): Promise<EndHoldResult> {
    if (actualAmount !== undefined) assertAmount("actualAmount", actualAmount);
    const sets: Record<string, unknown> = { status: "committed", committedAt: now.toISOString() };
    if (actualAmount !== undefined) sets.actualAmount = actualAmount;
    const result = await this.endHold(reservationId, sets, now);
    if (result.kind === "ok" && actualAmount !== undefined && actualAmount > result.hold.amount) {
      await this.lowerHeadroom(result.state.accountId, roundAmount(actualAmount - result.hold.amount));
    }
    return result;
  }

  /** Ends a held, unexpired hold unspent. */
  async release(reservationId: string, now: Date): Promise<EndHoldResult> {
    return this.endHold(reservationId, { status: "released", releasedAt: now.toISOString() }, now);
  }

  /** The one conditional write of a commit or release; a hold that is not held is left untouched. */
  private async endHold(
    reservationId: string,
    sets: Record<string, unknown>,
    now: Date,
  ): Promise<EndHoldResult> {
    const accountId = accountIdOfReservation(reservationId);
    if (accountId === undefined) return { kind: "not_found" };
    const fields = Object.keys(sets);
    try {
      const { Attributes } = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: stateKey(accountId),
          UpdateExpression: `SET ${fields.map((_, i) => `holds.#id.#f${i} = :f${i}`).join(", ")} ADD version :one`,
          ConditionExpression: "holds.#id.#status = :held AND holds.#id.expiresAtMs > :nowMs",
          ExpressionAttributeNames: {
            "#id": reservationId,
            "#status": "status",
            ...Object.fromEntries(fields.map((f, i) => [`#f${i}`, f])),
          },
          ExpressionAttributeValues: {
            ":held": "held",
            ":nowMs": now.getTime(),
            ":one": 1,
            ...Object.fromEntries(fields.map((f, i) => [`:f${i}`, sets[f]])),
          },
          ReturnValues: "ALL_NEW",
          ReturnValuesOnConditionCheckFailure: "ALL_OLD",
        }),
      );
      const state = toAccountState(Attributes ?? {});
      return { kind: "ok", hold: state.holds[reservationId] as Hold, state };
    } catch (error) {
      const failure = conditionFailure(error);
      if (failure === undefined) throw error;
      const inState = failure.oldItem && toAccountState(failure.oldItem).holds[reservationId];
      const hold = inState ?? (await this.findArchived(accountId, reservationId))?.hold;
      if (hold === undefined) return { kind: "not_found" };
      return { kind: "not_held", hold, status: holdStatus(hold, now) as Exclude<ReservationStatus, "held"> };
    }
  }

  /** The only write that makes the counter smaller than a reserve did: spend beyond the hold. */
  private async lowerHeadroom(accountId: string, excess: number): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: stateKey(accountId),
        UpdateExpression: "ADD headroom :minusExcess, version :one",
        ExpressionAttributeValues: { ":minusExcess": -excess, ":one": 1 },
      }),
    );
  }

  /** A reservation from the state item, else from the archive; undefined when unknown or malformed. */
  async getReservation(reservationId: string, now: Date): Promise<StoredReservation | undefined> {
    const accountId = accountIdOfReservation(reservationId);
    if (accountId === undefined) return undefined;
    const { Item } = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: stateKey(accountId),
        ProjectionExpression: "holds.#id, latest.#unit",
        ExpressionAttributeNames: { "#id": reservationId, "#unit": "unit" },
        ConsistentRead: true,
      }),
    );
    const hold = (Item?.holds as Record<string, Hold> | undefined)?.[reservationId];
    if (hold !== undefined) {
      const unit = (Item?.latest as { unit?: Unit } | undefined)?.unit;
      return { hold, view: reservationView(hold, now, unit), archived: false };
    }
    const archived = await this.findArchived(accountId, reservationId);
    return (
      archived && {
        hold: archived.hold,
        view: reservationView(archived.hold, now, archived.unit),
        archived: true,
      }
    );
  }

  private async findArchived(
    accountId: string,
    reservationId: string,
  ): Promise<{ hold: Hold; unit?: Unit } | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: reservationKey(accountId, reservationId),
        ConsistentRead: true,
      }),
    );
    return Item === undefined ? undefined : { hold: Item.hold as Hold, unit: Item.unit as Unit | undefined };
  }

  /**
   * Records a poll in the state item: the new latest snapshot (never replacing a newer one), the alert
   * state, an exact headroom, and the holds this snapshot settles or that left the idempotency window
   * archived and removed. A failed poll (no snapshot) changes only the alert state.
   */
  async savePoll(accountId: string, poll: PollRecord, rules: PollRules): Promise<AccountState> {
    if (poll.snapshot === undefined) return this.saveFailedPoll(accountId, poll);
    for (let attempt = 0; attempt < MAX_POLL_ATTEMPTS; attempt++) {
      const current = await this.getAccountState(accountId);
      const saved = await this.trySaveGoodPoll(
        accountId,
        current,
        { ...poll, snapshot: poll.snapshot },
        rules,
      );
      if (saved !== undefined) return saved;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * POLL_RETRY_PAUSE_MS));
    }
    throw new StoreConflictError(accountId, "savePoll", MAX_POLL_ATTEMPTS);
  }

  private async trySaveGoodPoll(
    accountId: string,
    current: AccountState | undefined,
    poll: PollRecord & { snapshot: BalanceSnapshot },
    rules: PollRules,
  ): Promise<AccountState | undefined> {
    const latest = newerSnapshot(current?.latest, poll.snapshot);
    const holds = current?.holds ?? {};
    const dropped = holdsToArchive({ latest, holds }, rules);
    await Promise.all(dropped.map((hold) => this.archiveHold(accountId, hold, latest.unit, rules)));
    const kept = Object.fromEntries(
      Object.entries(holds).filter(([id]) => !dropped.some((d) => d.id === id)),
    );
    const values: Record<string, unknown> = {
      ":latest": definedOnly(latest),
      ":alert": definedOnly(poll.alert ?? INITIAL_ALERT_STATE),
      ":headroom": exactHeadroom({ latest, holds: kept }, rules),
      ":tick": poll.tick,
      ":at": poll.lastPollAt,
      ":accountId": accountId,
      ":one": 1,
    };
    const sets = [
      "latest = :latest",
      poll.alert ? "alert = :alert" : "alert = if_not_exists(alert, :alert)",
      "headroom = :headroom",
      "lastPollTick = :tick",
      "lastPollAt = :at",
      "accountId = :accountId",
    ];
    if (poll.refresh) sets.push("lastRefreshAt = :at");
    if (current === undefined) {
      sets.push("holds = :noHolds");
      values[":noHolds"] = {};
    } else {
      values[":version"] = current.version;
    }
    const removals = dropped.map((_, i) => `holds.#d${i}`);
    try {
      const { Attributes } = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: stateKey(accountId),
          UpdateExpression: `SET ${sets.join(", ")}${removals.length ? ` REMOVE ${removals.join(", ")}` : ""} ADD version :one`,
          ConditionExpression: current === undefined ? "attribute_not_exists(pk)" : "version = :version",
          ExpressionAttributeNames: dropped.length
            ? Object.fromEntries(dropped.map((hold, i) => [`#d${i}`, hold.id]))
            : undefined,
          ExpressionAttributeValues: values,
          ReturnValues: "ALL_NEW",
        }),
      );
      return toAccountState(Attributes ?? {});
    } catch (error) {
      if (conditionFailure(error) === undefined) throw error;
      return undefined;
    }
  }

  /**
   * Claims a schedule tick for one poll (one conditional write): false when another delivery of the same
   * tick claimed it first, so that a tick delivered twice records, counts its failure and alerts once.
   */
  async claimTick(accountId: string, tick: string): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: stateKey(accountId),
          UpdateExpression:
            "SET lastPollTick = :tick, accountId = :accountId, holds = if_not_exists(holds, :noHolds), " +
            "headroom = if_not_exists(headroom, :zero), alert = if_not_exists(alert, :initialAlert) ADD version :one",
          ConditionExpression: "attribute_not_exists(lastPollTick) OR lastPollTick <> :tick",
          ExpressionAttributeValues: {
            ":tick": tick,
            ":accountId": accountId,
            ":noHolds": {},
            ":zero": 0,
            ":initialAlert": definedOnly(INITIAL_ALERT_STATE),
            ":one": 1,
          },
        }),
      );
      return true;
    } catch (error) {
      if (conditionFailure(error) === undefined) throw error;
      return false;
    }
  }

  private async saveFailedPoll(accountId: string, poll: PollRecord): Promise<AccountState> {
    const refresh = poll.refresh ? ", lastRefreshAt = :at" : "";
    const { Attributes } = await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: stateKey(accountId),
        UpdateExpression:
          `SET ${poll.alert ? "alert = :alert" : "alert = if_not_exists(alert, :alert)"}, accountId = :accountId, ` +
          "holds = if_not_exists(holds, :noHolds), " +
          `headroom = if_not_exists(headroom, :zero)${refresh} ADD version :one`,
        ExpressionAttributeValues: {
          ":alert": definedOnly(poll.alert ?? INITIAL_ALERT_STATE),
          ":accountId": accountId,
          ":noHolds": {},
          ":zero": 0,
          ":one": 1,
          ...(poll.refresh ? { ":at": poll.lastPollAt } : {}),
        },
        ReturnValues: "ALL_NEW",
      }),
    );
    return toAccountState(Attributes ?? {});
  }

  /** Writes a hold that stops living in the state item as its own item (idempotent: terminal holds never change). */
  private async archiveHold(accountId: string, hold: Hold, unit: Unit, rules: PollRules): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...reservationKey(accountId, hold.id),
          accountId,
          hold: definedOnly(hold),
          unit,
          archivedAt: rules.now.toISOString(),
          ttl: expiryEpochSeconds(rules.now, rules.retentionDays),
        },
      }),
    );
  }

  putSnapshot(
    accountId: string,
    tick: string,
    snapshot: BalanceSnapshot,
    retentionDays: number,
  ): Promise<boolean> {
    return history.putSnapshot(this.doc, this.tableName, { accountId, tick, snapshot, retentionDays });
  }

  listSnapshots(accountId: string, range: history.SnapshotRange): Promise<BalanceSnapshot[]> {
    return history.listSnapshots(this.doc, this.tableName, accountId, range);
  }

  appendAlert(alert: Alert, retentionDays: number): Promise<void> {
    return history.appendAlert(this.doc, this.tableName, alert, retentionDays);
  }

  listAlerts(accountId: string, limit: number): Promise<Alert[]> {
    return history.listAlerts(this.doc, this.tableName, accountId, limit);
  }
}

export type { SnapshotRange } from "./history.ts";

function newerSnapshot(current: BalanceSnapshot | undefined, incoming: BalanceSnapshot): BalanceSnapshot {
  if (current === undefined) return incoming;
  return Date.parse(current.observedAt) > Date.parse(incoming.observedAt) ? current : incoming;
}

function newHold(request: ReserveRequest, now: Date): Hold {
  const hold: Hold = {
    id: request.id,
    amount: request.amount,
    status: "held",
    createdAt: now.toISOString(),
    expiresAtMs: now.getTime() + request.ttlSeconds * 1000,
  };
  if (request.idempotencyKey !== undefined) hold.idempotencyKey = request.idempotencyKey;
  if (request.estimate !== undefined) hold.estimate = request.estimate;
  return hold;
}

/** A job whose estimate is 0 (test mode on a card where it is free) holds 0: harmless, and the flow stays one. */
function assertAmount(field: string, value: number): void {
  if (!isStorableAmount(value)) {
    throw new InvalidReservationRequestError(field, `must be 0 or a finite number ≥ ${MIN_AMOUNT}`);
  }
}

function validateReserveRequest(accountId: string, request: ReserveRequest): void {
  assertAmount("amount", request.amount);
  if (!Number.isInteger(request.ttlSeconds) || request.ttlSeconds <= 0) {
    throw new InvalidReservationRequestError("ttlSeconds", "must be a positive whole number of seconds");
  }
  if (accountIdOfReservation(request.id) !== accountId) {
    throw new InvalidReservationRequestError("id", `is not a reservation id of account ${accountId}`);
  }
  if (
    request.idempotencyKey !== undefined &&
    request.id !== reservationIdFor(accountId, request.idempotencyKey)
  ) {
    throw new InvalidReservationRequestError("id", "does not match the Idempotency-Key");
  }
}
