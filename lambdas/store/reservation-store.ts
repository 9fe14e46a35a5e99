import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { AccountState, Hold } from "#core/account";
import type { Unit } from "#core/balance";
import { accountIdOfReservation, reservationIdFor } from "#core/reservation-id";
import {
  type BalanceRules,
  computeBalanceView,
  holdStatus,
  isStorableAmount,
  MIN_AMOUNT,
  type ReservationStatus,
  reservationView,
  roundAmount,
  shortfallOf,
} from "#core/reservations";
import {
  type BalanceGuard,
  type EndHoldResult,
  HoldCapacityError,
  InvalidReservationRequestError,
  type PollRules,
  type ReservationStore,
  type ReserveRequest,
  type ReserveResult,
  StoreConflictError,
  type StoredReservation,
} from "#service/store-port";
import { conditionalWrite } from "./conditional-write.ts";
import { definedOnly, expiryEpochSeconds, reservationKey, stateKey, toAccountState } from "./state-item.ts";

/**
 * Credit holds, kept in the account's state item next to the balance they are held against, and the
 * archive items (sk `RESERVATION#<id>`) that polls move ended holds to. Why each write is shaped as it is:
 * docs/reservations.md.
 */

const MAX_RESERVE_ATTEMPTS = 5;

function guardHolds(state: AccountState, guard: BalanceGuard): boolean {
  const latest = state.latest;
  return latest !== undefined && latest.observedAt >= guard.observedAtOrAfter && latest.unit === guard.unit;
}

/** DynamoDB refuses a write that would make the item larger than its 400 KB limit. */
function isItemTooLarge(error: unknown): boolean {
  return error instanceof Error && error.name === "ValidationException" && /item size/i.test(error.message);
}

export class DynamoReservationStore implements ReservationStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

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
      const outcome = await conditionalWrite(
        this.doc,
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
      return outcome.applied ? "created" : { refusedBy: outcome.oldItem && toAccountState(outcome.oldItem) };
    } catch (error) {
      if (isItemTooLarge(error)) throw new HoldCapacityError(accountId);
      throw error;
    }
  }

  /** Sets headroom to the exact available, unless another write got there first (then the caller retries). */
  private async reconcileHeadroom(accountId: string, seenVersion: number, available: number): Promise<void> {
    await conditionalWrite(
      this.doc,
      new UpdateCommand({
        TableName: this.tableName,
        Key: stateKey(accountId),
        UpdateExpression: "SET headroom = :available ADD version :one",
        ConditionExpression: "version = :seen",
        ExpressionAttributeValues: { ":available": available, ":one": 1, ":seen": seenVersion },
      }),
    );
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
    await conditionalWrite(
      this.doc,
      new UpdateCommand({
        TableName: this.tableName,
        Key: stateKey(accountId),
        UpdateExpression: "REMOVE holds.#id ADD version :one",
        ConditionExpression: "holds.#id.createdAt = :createdAt",
        ExpressionAttributeNames: { "#id": hold.id },
        ExpressionAttributeValues: { ":one": 1, ":createdAt": hold.createdAt },
      }),
    );
  }

  /** An actual above the hold lowers headroom by the excess. */
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
    const outcome = await conditionalWrite(
      this.doc,
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
    if (outcome.applied) {
      const state = toAccountState(outcome.attributes ?? {});
      return { kind: "ok", hold: state.holds[reservationId] as Hold, state };
    }
    const inState = outcome.oldItem && toAccountState(outcome.oldItem).holds[reservationId];
    const hold = inState ?? (await this.findArchived(accountId, reservationId))?.hold;
    if (hold === undefined) return { kind: "not_found" };
    return { kind: "not_held", hold, status: holdStatus(hold, now) as Exclude<ReservationStatus, "held"> };
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
   * Writes a hold that stops living in the state item as its own item (idempotent: terminal holds never
   * change). Called by a poll before it removes the hold from the state item.
   */
  async archiveHold(accountId: string, hold: Hold, unit: Unit, rules: PollRules): Promise<void> {
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
