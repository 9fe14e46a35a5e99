import { type DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import type { AccountState, ForcedCommit, Hold, OutputOutcome, ReleaseReason } from "#core/account";
import { heldShareOf, weakestBasis } from "#core/job-outputs";
import { accountIdOfReservation } from "#core/reservation-id";
import {
  type BalanceRules,
  commitBoundOf,
  computeBalanceView,
  heldPart,
  holdStatus,
  IDEMPOTENCY_WINDOW_MS,
  isStorableAmount,
  MIN_AMOUNT,
  planCommit,
  type ReservationView,
  reservationView,
  roundAmount,
  shortfallOf,
} from "#core/reservations";
import type {
  BalanceGuard,
  CommitRequest,
  ExtendRequest,
  IdempotencyKeyUse,
  OutputSettleRequest,
  OutputSettleResult,
  ReservationPage,
  ReservationQuery,
  ReservationStore,
  ReserveRequest,
  ReserveResult,
  SettleContext,
  SettleResult,
} from "#service/reservation-port";
import { InvalidReservationRequestError, StoreConflictError } from "#service/store-errors";
import { transactWrite } from "./conditional-write.ts";
import { correctCounters } from "./counter-corrections.ts";
import {
  captureItem,
  holdItem,
  holdKey,
  holdTtl,
  idempotencyKey,
  openHoldIndex,
  type StoredHold,
  toStoredHold,
} from "./hold-items.ts";
import { DynamoReservationReads } from "./reservation-reads.ts";
import { definedOnly, stateKey, toAccountState } from "./state-item.ts";

/**
 * Credit holds, one item each, counted against the balance by the account state item's `reserved` and
 * `headroom`, which every change to what a hold counts updates in the same transaction. Why each write is
 * shaped as it is, and what each costs: docs/reservations.md.
 */

// One attempt in each round of racing writers wins, so a writer among n concurrent ones (a translation's
// outputs delivered at once) may need n attempts; 10 covers HeyGen's per-job output counts seen so far.
const MAX_ATTEMPTS = 10;
type TransactItem = Parameters<typeof transactWrite>[1][number];

/**
 * A settle's planned change: its writes (the counter update last), the hold after them, and for a write the
 * counter guards: `required`, what headroom must cover, and `bound` for a commit (answered exceeds-available).
 */
interface PlannedSettle {
  writes: TransactItem[];
  after: Hold;
  required?: number;
  bound?: { held: number; asked: number };
}

function guardHolds(state: AccountState, guard: BalanceGuard): boolean {
  const latest = state.latest;
  return latest !== undefined && latest.observedAt >= guard.observedAtOrAfter && latest.unit === guard.unit;
}

/** A hold of an Idempotency-Key answer that is still within its window, else undefined. */
function liveAnswer(item: Record<string, unknown> | undefined, now: Date) {
  if (item === undefined || Number(item.expiresAtMs) <= now.getTime()) return undefined;
  return item as { reservationId: string; requestHash?: string; view?: ReservationView };
}

export class DynamoReservationStore implements ReservationStore {
  private readonly reads: DynamoReservationReads;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {
    this.reads = new DynamoReservationReads(doc, tableName);
  }

  async reserve(
    accountId: string,
    request: ReserveRequest,
    rules: BalanceRules,
    guard?: BalanceGuard,
  ): Promise<ReserveResult> {
    validateReserveRequest(accountId, request);
    const hold: StoredHold = newHold(request, rules.now);
    const ttl = holdTtl(hold.expiresAtMs, request.retentionDays);
    const key = request.idempotencyKey;
    const items: TransactItem[] = [
      {
        Update: {
          TableName: this.tableName,
          Key: stateKey(accountId),
          UpdateExpression: "ADD reserved :amount, headroom :minus, openHolds :one, version :one",
          ConditionExpression: `headroom >= :amount${guard ? " AND latest.observedAt >= :freshFrom AND latest.#unit = :unit" : ""}`,
          ...(guard ? { ExpressionAttributeNames: { "#unit": "unit" } } : {}),
          ExpressionAttributeValues: {
            ":amount": hold.amount,
            ":minus": -hold.amount,
            ":one": 1,
            ...(guard ? { ":freshFrom": guard.observedAtOrAfter, ":unit": guard.unit } : {}),
          },
          ReturnValuesOnConditionCheckFailure: "ALL_OLD",
        },
      },
      {
        Put: {
          TableName: this.tableName,
          Item: holdItem(accountId, hold, { counted: true, ttl }),
          ConditionExpression: "attribute_not_exists(sk)",
        },
      },
    ];
    if (key !== undefined)
      items.push(this.answerPut(accountId, "reserve", accountId, key, rules.now, hold.id));

    let corrected = false;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const outcome = await transactWrite(this.doc, items);
      if (outcome.applied) return { kind: "created", view: reservationView(hold, rules.now) };
      const [stateReason, holdReason, keyReason] = outcome.reasons;
      if (keyReason?.code === "ConditionalCheckFailed") {
        return this.keyAnswer(accountId, keyReason.oldItem, key as IdempotencyKeyUse, rules.now);
      }
      // Ids are made per request, so the hold is there only if this very transaction was applied and its
      // answer lost (the SDK retried it): the hold was made, once.
      if (holdReason?.code === "ConditionalCheckFailed") {
        return { kind: "created", view: reservationView(hold, rules.now) };
      }
      const old = stateReason?.oldItem && toAccountState(stateReason.oldItem);
      // A denied keyed reserve may be a repeat whose answer the cancellation did not report.
      const repeat = key && (await this.findAnswer(accountId, "reserve", accountId, key, rules.now));
      if (repeat) return repeat;
      if (old?.latest === undefined) return { kind: "no-balance" };
      if (guard !== undefined && !guardHolds(old, guard)) return { kind: "stale" };
      if (!corrected) {
        corrected = true;
        const settledUpToMs = Date.parse(old.latest.observedAt) - rules.settleSeconds * 1000;
        const count = await correctCounters(this.doc, this.tableName, accountId, {
          expiredUpToMs: rules.now.getTime(),
          settledUpToMs,
        });
        if (count > 0) continue;
      }
      const available = computeBalanceView(old, rules).available ?? 0;
      return { kind: "insufficient", ...shortfallOf(hold.amount, Math.min(available, old.headroom)) };
    }
    throw new StoreConflictError(accountId, "reserve", MAX_ATTEMPTS);
  }

  async commit(reservationId: string, request: CommitRequest, context: SettleContext): Promise<SettleResult> {
    if (request.actualAmount !== undefined) assertAmount("actualAmount", request.actualAmount);
    if (request.totalAmount !== undefined) assertAmount("totalAmount", request.totalAmount);
    if (request.actualAmount !== undefined && request.totalAmount !== undefined) {
      throw new InvalidReservationRequestError(
        "totalAmount",
        "cannot be given with actualAmount: give the part (actualAmount) or the job's whole cost (totalAmount)",
      );
    }
    if (request.actualAmount === undefined && request.totalAmount === undefined && !request.final) {
      throw new InvalidReservationRequestError(
        "actualAmount",
        "is required for a partial commit (final: false), or totalAmount",
      );
    }
    const bounded = request.beyondAvailable === undefined || typeof request.beyondAvailable === "object";
    const first = await this.settle(reservationId, "commit", context, (hold, now) =>
      this.planCommitOf(hold, now, request, bounded ? "refuse" : "record"),
    );
    const force = request.beyondAvailable;
    if (first.kind !== "exceeds-available" || typeof force !== "object") return first;
    // Forced: the refused attempt measured how far past the bound it was; the commit is made again, unguarded,
    // with that record on the hold (a concurrent change in between is planned on, as any retry is).
    const forced: ForcedCommit = {
      by: force.forcedBy,
      at: context.now.toISOString(),
      held: first.held,
      available: first.available,
      asked: first.asked,
      allowed: first.allowed,
    };
    const second = await this.settle(reservationId, "commit", context, (hold, now) =>
      this.planCommitOf(hold, now, request, { forced }),
    );
    const madeNow = second.kind === "ok" && !second.replayed && second.view.forced?.at === forced.at;
    return madeNow ? { ...second, forced } : second;
  }

  /**
   * A commit's writes on a held hold: its part (`actualAmount`, `totalAmount − committedAmount`, or the held
   * part), a capture item, and the counter change. Past the held part, `refuse` guards the counter so that the
   * excess must fit in `headroom` (settle answers exceeds-available when it does not); `record` writes it as
   * is; `{ forced }` writes it and keeps the record on the hold.
   */
  private planCommitOf(
    hold: StoredHold & { accountId: string; ttl: number },
    now: Date,
    request: CommitRequest,
    beyond: "refuse" | "record" | { forced: ForcedCommit },
  ): "replay" | "conflict" | PlannedSettle {
    const status = holdStatus(hold, now);
    const committed = hold.committedAmount ?? 0;
    if (status !== "held") {
      const sameFinal =
        request.final &&
        hold.status === "committed" &&
        (request.totalAmount !== undefined
          ? roundAmount(committed) === roundAmount(request.totalAmount)
          : (hold.finalActualAmount ?? null) === (request.actualAmount ?? null));
      return sameFinal ? "replay" : "conflict";
    }
    let part = request.actualAmount;
    if (request.totalAmount !== undefined) {
      part = roundAmount(request.totalAmount - committed);
      if (part < 0) {
        throw new InvalidReservationRequestError(
          "totalAmount",
          `is below what is already committed (${committed}); totalAmount is the job's whole cost`,
        );
      }
    }
    const plan = planCommit(hold, part, request.final);
    const held = heldPart(hold);
    const pastHeld = plan.reservedDelta > 0;
    const forced = typeof beyond === "object" && pastHeld ? beyond.forced : undefined;
    const n = hold.captures + 1;
    const committedAt = now.toISOString();
    const writes: TransactItem[] = [];
    const holdSets = ["committedAmount = :committed", "committedAt = :at", "captures = :n"];
    const values: Record<string, unknown> = {
      ":committed": plan.committedAmount,
      ":at": committedAt,
      ":n": n,
    };
    // What the final commit recorded of its own (a total's part), so that the same request repeated replays.
    const finalGiven = request.totalAmount !== undefined ? plan.part : (request.actualAmount ?? null);
    if (request.final) {
      holdSets.push("#status = :committedStatus", "finalActualAmount = :given");
      values[":committedStatus"] = "committed";
      values[":given"] = finalGiven;
    }
    if (request.basis !== undefined) {
      holdSets.push("commitBasis = :basis");
      values[":basis"] = request.basis;
    }
    if (forced !== undefined) {
      holdSets.push("forced = :forced");
      values[":forced"] = forced;
    }
    writes.push(
      this.holdUpdate(hold, now, {
        set: holdSets,
        remove: request.final ? ["openPk", "openSk", "heldPk", "heldSk"] : [],
        values,
      }),
    );
    if (plan.part > 0) {
      writes.push({
        Put: {
          TableName: this.tableName,
          Item: captureItem(hold.accountId, hold, {
            n,
            amount: plan.part,
            committedAt,
            ttl: hold.ttl,
          }),
        },
      });
    }
    const guarded = beyond === "refuse" && pastHeld;
    writes.push(this.counterUpdate(hold.accountId, plan.reservedDelta, request.final ? -1 : 0, guarded));
    const after: Hold = {
      ...hold,
      committedAmount: plan.committedAmount,
      committedAt,
      ...(request.final ? { status: "committed", finalActualAmount: finalGiven } : {}),
      ...(request.basis !== undefined ? { commitBasis: request.basis } : {}),
      ...(forced !== undefined ? { forced } : {}),
    };
    return {
      writes,
      after,
      ...(guarded ? { required: plan.reservedDelta, bound: { held, asked: plan.part } } : {}),
    };
  }

  async release(
    reservationId: string,
    context: SettleContext,
    reason?: ReleaseReason,
  ): Promise<SettleResult> {
    return this.settle(reservationId, "release", context, (hold, now) => {
      const status = holdStatus(hold, now);
      if (status !== "held") return hold.status === "released" ? "replay" : "conflict";
      const releasedAt = now.toISOString();
      const set = ["#status = :released", "releasedAt = :at"];
      const values: Record<string, unknown> = { ":released": "released", ":at": releasedAt };
      if (reason !== undefined) {
        set.push("releaseReason = :reason");
        values[":reason"] = reason;
      }
      return {
        writes: [
          this.holdUpdate(hold, now, { set, remove: ["openPk", "openSk", "heldPk", "heldSk"], values }),
          this.counterUpdate(hold.accountId, -heldPart(hold), -1),
        ],
        after: {
          ...hold,
          status: "released",
          releasedAt,
          ...(reason !== undefined ? { releaseReason: reason } : {}),
        },
      };
    });
  }

  async settleOutput(
    reservationId: string,
    request: OutputSettleRequest,
    context: SettleContext,
  ): Promise<OutputSettleResult> {
    if (request.outcome.amount !== undefined) assertAmount("actualAmount", request.outcome.amount);
    // The outputs the last plan saw (settle may plan again on a newer item): what the answer reports.
    let outputs: Record<string, OutputOutcome> = {};
    const result = await this.settle(reservationId, "commit", context, (hold, now) => {
      const recorded = hold.outputs ?? {};
      outputs = recorded;
      const earlier = recorded[request.outputId];
      // Recorded in the same transaction as its money, so a recorded output is a settled one: a retried
      // delivery (or one that crashed before recording the delivery) changes nothing.
      if (earlier) return earlier.outcome === request.outcome.outcome ? "replay" : "conflict";
      if (holdStatus(hold, now) !== "held") return "conflict";
      const planned = this.planOutput(hold, request, now);
      outputs = planned.outputs;
      return planned;
    });
    if (result.kind === "not_found" || result.kind === "conflict") return result;
    if (result.kind !== "ok") throw new Error(`settleOutput: unexpected ${result.kind}`);
    const complete = Object.keys(outputs).length >= request.outputs;
    return { kind: "ok", view: result.view, replayed: result.replayed, outputs, complete };
  }

  /**
   * One output's writes: a success commits its part (the rest stays held), a failure only records itself
   * (the store never lowers an authorised amount, so its share is released when the hold ends); the output
   * that makes every output terminal ends the hold, committed when any succeeded, else released.
   */
  private planOutput(
    hold: StoredHold & { accountId: string; ttl: number },
    request: OutputSettleRequest,
    now: Date,
  ): { writes: TransactItem[]; after: Hold; outputs: Record<string, OutputOutcome> } {
    const success = request.outcome.outcome === "success";
    const part = success ? (request.outcome.amount ?? heldShareOf(hold.amount, request.outputs)) : 0;
    const output = definedOnly({ ...request.outcome, ...(success ? { amount: part } : {}) });
    const outputs = { ...hold.outputs, [request.outputId]: output };
    const last = Object.keys(outputs).length >= request.outputs;
    const successes = Object.values(outputs).filter((o) => o.outcome === "success");
    const at = now.toISOString();
    const index = ["openPk", "openSk", "heldPk", "heldSk"];
    if (last && successes.length === 0) {
      return {
        writes: [
          this.holdUpdate(hold, now, {
            set: ["#status = :released", "releasedAt = :at", "outputs = :outputs"],
            remove: index,
            values: { ":released": "released", ":at": at, ":outputs": outputs },
          }),
          this.counterUpdate(hold.accountId, -heldPart(hold), -1),
        ],
        after: { ...hold, status: "released", releasedAt: at, outputs },
        outputs,
      };
    }
    if (!success && !last) {
      return {
        writes: [
          this.holdUpdate(hold, now, {
            set: ["outputs = :outputs"],
            remove: [],
            values: { ":outputs": outputs },
          }),
        ],
        after: { ...hold, outputs },
        outputs,
      };
    }
    const plan = planCommit(hold, part, last);
    const basis = weakestBasis(successes.flatMap((o) => (o.basis ? [o.basis] : [])));
    const n = hold.captures + (plan.part > 0 ? 1 : 0);
    const set = [
      "committedAmount = :committed",
      "outputs = :outputs",
      "commitBasis = :basis",
      "captures = :n",
    ];
    const values: Record<string, unknown> = {
      ":committed": plan.committedAmount,
      ":outputs": outputs,
      ":basis": basis,
      ":n": n,
    };
    if (plan.part > 0) {
      set.push("committedAt = :at");
      values[":at"] = at;
    }
    if (last) {
      set.push("#status = :committedStatus", "finalActualAmount = :final");
      values[":committedStatus"] = "committed";
      values[":final"] = plan.committedAmount;
    }
    const writes: TransactItem[] = [this.holdUpdate(hold, now, { set, remove: last ? index : [], values })];
    if (plan.part > 0) {
      writes.push({
        Put: {
          TableName: this.tableName,
          Item: captureItem(hold.accountId, hold, { n, amount: plan.part, committedAt: at, ttl: hold.ttl }),
        },
      });
    }
    writes.push(this.counterUpdate(hold.accountId, plan.reservedDelta, last ? -1 : 0));
    const after: Hold = {
      ...hold,
      committedAmount: plan.committedAmount,
      ...(plan.part > 0 ? { committedAt: at } : {}),
      commitBasis: basis,
      outputs,
      ...(last ? { status: "committed" as const, finalActualAmount: plan.committedAmount } : {}),
    };
    return { writes, after, outputs };
  }

  async extend(reservationId: string, request: ExtendRequest, context: SettleContext): Promise<SettleResult> {
    if (request.amount !== undefined) assertAmount("amount", request.amount);
    if (
      request.ttlSeconds !== undefined &&
      (!Number.isInteger(request.ttlSeconds) || request.ttlSeconds <= 0)
    ) {
      throw new InvalidReservationRequestError("ttlSeconds", "must be a positive whole number of seconds");
    }
    return this.settle(reservationId, "extend", context, (hold, now) => {
      if (holdStatus(hold, now) !== "held") return "conflict";
      const amount = request.amount ?? hold.amount;
      if (amount < hold.amount) {
        throw new InvalidReservationRequestError(
          "amount",
          `must be at least the current amount ${hold.amount}`,
        );
      }
      const expiresAtMs =
        request.ttlSeconds === undefined ? hold.expiresAtMs : now.getTime() + request.ttlSeconds * 1000;
      const after: StoredHold = { ...hold, amount, expiresAtMs };
      const increase = roundAmount(heldPart(after) - heldPart(hold));
      const index = openHoldIndex(hold.accountId, after);
      return {
        writes: [
          this.holdUpdate(hold, now, {
            set: ["amount = :amount", "expiresAtMs = :expires", "openSk = :openSk"],
            add: ["#ttl :ttlShift"],
            names: { "#ttl": "ttl" },
            remove: [],
            values: {
              ":amount": amount,
              ":expires": expiresAtMs,
              ":openSk": index.openSk,
              ":ttlShift": Math.floor((expiresAtMs - hold.expiresAtMs) / 1000),
            },
          }),
          this.counterUpdate(hold.accountId, increase, 0, increase > 0),
        ],
        after,
        required: increase,
      };
    });
  }

  /**
   * The shared path of commit, release and extend: an Idempotency-Key's stored answer, else the hold read
   * (consistently), the change planned on it and applied in one transaction conditional on the version read.
   */
  private async settle(
    reservationId: string,
    operation: "commit" | "release" | "extend",
    context: SettleContext,
    plan: (
      hold: StoredHold & { accountId: string; ttl: number },
      now: Date,
    ) => "replay" | "conflict" | PlannedSettle,
  ): Promise<SettleResult> {
    const accountId = accountIdOfReservation(reservationId);
    if (accountId === undefined) return { kind: "not_found" };
    const { now } = context;
    const key = context.idempotencyKey;
    if (key !== undefined) {
      const answer = await this.getAnswer(accountId, operation, reservationId, key.key, now);
      if (answer)
        return answer.requestHash === key.requestHash && answer.view
          ? { kind: "ok", view: answer.view, replayed: true }
          : { kind: "key-reused" };
    }
    let corrected = false;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const item = await this.readHoldItem(accountId, reservationId);
      if (item === undefined) return { kind: "not_found" };
      const hold = { ...toStoredHold(item), accountId, ttl: Number(item.ttl ?? 0) };
      const planned = plan(hold, now);
      if (planned === "replay") return { kind: "ok", view: reservationView(hold, now), replayed: true };
      if (planned === "conflict") return { kind: "conflict", view: reservationView(hold, now) };
      const view = reservationView(planned.after, now);
      const writes = [...planned.writes];
      if (key !== undefined)
        writes.push(this.answerPut(accountId, operation, reservationId, key, now, reservationId, view));
      const outcome = await transactWrite(this.doc, writes);
      if (outcome.applied) return { kind: "ok", view, replayed: false };
      const counterReason = outcome.reasons[planned.writes.length - 1];
      if (counterReason?.code === "ConditionalCheckFailed" && planned.required !== undefined) {
        const old = counterReason.oldItem && toAccountState(counterReason.oldItem);
        if (!corrected && old?.latest !== undefined) {
          corrected = true;
          await correctCounters(this.doc, this.tableName, accountId, {
            expiredUpToMs: now.getTime(),
            settledUpToMs: Date.parse(old.latest.observedAt) - context.settleSeconds * 1000,
          });
          continue;
        }
        const available = old ? (computeBalanceView(old, context).available ?? 0) : 0;
        if (planned.bound !== undefined) {
          const { held, asked } = planned.bound;
          return {
            kind: "exceeds-available",
            ...commitBoundOf(held, Math.min(available, old?.headroom ?? 0), asked),
            ...(hold.unit ? { unit: hold.unit } : {}),
          };
        }
        return {
          kind: "insufficient",
          ...shortfallOf(planned.required, Math.min(available, old?.headroom ?? 0)),
          ...(hold.unit ? { unit: hold.unit } : {}),
        };
      }
      if (key !== undefined && outcome.reasons.at(-1)?.code === "ConditionalCheckFailed") {
        // A concurrent request with the same key won: its stored answer is this one's.
        return this.settle(reservationId, operation, context, plan);
      }
      // The hold changed since it was read (a concurrent commit, release or extend): plan again on it.
    }
    throw new StoreConflictError(accountId, operation, MAX_ATTEMPTS);
  }

  private async readHoldItem(accountId: string, reservationId: string) {
    const { Item } = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: holdKey(accountId, reservationId),
        ConsistentRead: true,
      }),
    );
    return Item;
  }

  private holdUpdate(
    hold: StoredHold & { accountId: string },
    now: Date,
    change: {
      set: string[];
      remove: string[];
      add?: string[];
      names?: Record<string, string>;
      values: Record<string, unknown>;
    },
  ): TransactItem {
    const remove = change.remove.length ? ` REMOVE ${change.remove.join(", ")}` : "";
    return {
      Update: {
        TableName: this.tableName,
        Key: holdKey(hold.accountId, hold.id),
        UpdateExpression: `SET ${change.set.join(", ")}${remove} ADD ${["version :one", ...(change.add ?? [])].join(", ")}`,
        ConditionExpression:
          "version = :version AND #status = :held AND expiresAtMs > :now AND attribute_exists(openPk)",
        ExpressionAttributeNames: { "#status": "status", ...change.names },
        ExpressionAttributeValues: {
          ...change.values,
          ":one": 1,
          ":version": hold.version,
          ":held": "held",
          ":now": now.getTime(),
        },
        ReturnValuesOnConditionCheckFailure: "NONE",
      },
    };
  }

  /** Changes `reserved` by `delta` and `headroom` by −delta; `guarded`: only if headroom covers delta. */
  private counterUpdate(
    accountId: string,
    delta: number,
    openHoldsDelta: number,
    guarded = false,
  ): TransactItem {
    return {
      Update: {
        TableName: this.tableName,
        Key: stateKey(accountId),
        UpdateExpression: "ADD reserved :delta, headroom :minus, openHolds :open, version :one",
        ...(guarded ? { ConditionExpression: "headroom >= :delta" } : {}),
        ExpressionAttributeValues: { ":delta": delta, ":minus": -delta, ":open": openHoldsDelta, ":one": 1 },
        ...(guarded ? { ReturnValuesOnConditionCheckFailure: "ALL_OLD" as const } : {}),
      },
    };
  }

  /** The Idempotency-Key's answer, written with the request it answers (a live one is never overwritten). */
  private answerPut(
    accountId: string,
    operation: string,
    scope: string,
    key: IdempotencyKeyUse,
    now: Date,
    reservationId: string,
    view?: ReservationView,
  ): TransactItem {
    const expiresAtMs = now.getTime() + IDEMPOTENCY_WINDOW_MS;
    return {
      Put: {
        TableName: this.tableName,
        Item: definedOnly({
          ...idempotencyKey(accountId, operation, scope, key.key),
          operation,
          reservationId,
          requestHash: key.requestHash,
          view,
          expiresAtMs,
          ttl: Math.floor(expiresAtMs / 1000),
        }),
        ConditionExpression: "attribute_not_exists(sk) OR expiresAtMs <= :now",
        ExpressionAttributeValues: { ":now": now.getTime() },
        ReturnValuesOnConditionCheckFailure: "ALL_OLD",
      },
    };
  }

  private async getAnswer(accountId: string, operation: string, scope: string, key: string, now: Date) {
    const { Item } = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: idempotencyKey(accountId, operation, scope, key),
        ConsistentRead: true,
      }),
    );
    return liveAnswer(Item, now);
  }

  private async findAnswer(
    accountId: string,
    operation: string,
    scope: string,
    key: IdempotencyKeyUse,
    now: Date,
  ): Promise<ReserveResult | undefined> {
    const answer = await this.getAnswer(accountId, operation, scope, key.key, now);
    return answer && this.keyAnswer(accountId, answer as unknown as Record<string, unknown>, key, now);
  }

  /** A reserve whose Idempotency-Key was used before: the same request gets its hold, as it is now. */
  private async keyAnswer(
    accountId: string,
    item: Record<string, unknown> | undefined,
    key: IdempotencyKeyUse,
    now: Date,
  ): Promise<ReserveResult> {
    const answer = liveAnswer(item, now);
    if (answer === undefined) throw new StoreConflictError(accountId, "reserve", 1);
    if (answer.requestHash !== undefined && answer.requestHash !== key.requestHash)
      return { kind: "key-reused" };
    const view = await this.getReservation(answer.reservationId, now);
    if (view === undefined)
      throw new Error(`Idempotency-Key answer names a missing hold ${answer.reservationId}`);
    return { kind: "existing", view };
  }

  getReservation(reservationId: string, now: Date): Promise<ReservationView | undefined> {
    return this.reads.getReservation(reservationId, now);
  }

  listReservations(accountId: string, query: ReservationQuery, now: Date): Promise<ReservationPage> {
    return this.reads.listReservations(accountId, query, now);
  }

  oldestOpenHold(accountId: string, now: Date): Promise<Hold | undefined> {
    return this.reads.oldestOpenHold(accountId, now);
  }

  correctCounters(accountId: string, now: Date, settledUpToMs?: number): Promise<number> {
    return correctCounters(this.doc, this.tableName, accountId, {
      expiredUpToMs: now.getTime(),
      ...(settledUpToMs !== undefined ? { settledUpToMs } : {}),
    });
  }
}

function newHold(request: ReserveRequest, now: Date): StoredHold {
  return definedOnly({
    id: request.id,
    amount: request.amount,
    status: "held" as const,
    createdAt: now.toISOString(),
    expiresAtMs: now.getTime() + request.ttlSeconds * 1000,
    unit: request.unit,
    committedAmount: 0,
    idempotencyKey: request.idempotencyKey?.key,
    estimate: request.estimate,
    spec: request.spec,
    version: 1,
    captures: 0,
  });
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
}
