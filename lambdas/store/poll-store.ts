import { type DynamoDBDocumentClient, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { type AccountState, INITIAL_ALERT_STATE } from "#core/account";
import type { BalanceSnapshot } from "#core/balance";
import { exactHeadroom, holdsToArchive } from "#core/reservations";
import {
  type AccountStateStore,
  type PollRecord,
  type PollRules,
  type PollStore,
  READING_LEASE_SECONDS,
  type ReadingClaim,
  StoreConflictError,
} from "#service/store-port";
import { conditionalWrite } from "./conditional-write.ts";
import type { DynamoReservationStore } from "./reservation-store.ts";
import { definedOnly, stateKey, toAccountState } from "./state-item.ts";

/**
 * A poll's exact recomputation is conditional on the item's version, which every reserve bumps; under a
 * stream of reserves it may lose several times, so it retries more, after a short random pause.
 */
const MAX_POLL_ATTEMPTS = 30;
const POLL_RETRY_PAUSE_MS = 20;

/** What a poll writes to the account's state item. */
export class DynamoPollStore implements PollStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly states: AccountStateStore,
    private readonly reservations: Pick<DynamoReservationStore, "archiveHold">,
  ) {}

  /**
   * One conditional write: a tick delivered twice, two refreshes at once, or a refresh during a tick's poll
   * record, count their failure and alert once.
   */
  async claimReading(accountId: string, claim: ReadingClaim, now: Date): Promise<AccountState | undefined> {
    const leaseFree = "(attribute_not_exists(readingLeaseUntil) OR readingLeaseUntil < :now)";
    const values: Record<string, unknown> = {
      ":now": now.toISOString(),
      ":lease": new Date(now.getTime() + READING_LEASE_SECONDS * 1000).toISOString(),
      ":accountId": accountId,
      ":noHolds": {},
      ":zero": 0,
      ":initialAlert": definedOnly(INITIAL_ALERT_STATE),
      ":one": 1,
    };
    let set: string;
    let condition: string;
    if ("tick" in claim) {
      set = "lastPollTick = :tick";
      condition = `(attribute_not_exists(lastPollTick) OR lastPollTick <> :tick) AND ${leaseFree}`;
      values[":tick"] = claim.tick;
    } else {
      set = "lastRefreshAt = :now";
      condition =
        "(attribute_not_exists(lastRefreshAt) OR lastRefreshAt <= :cutoff) AND " +
        `(attribute_not_exists(lastPollAt) OR lastPollAt <= :cutoff) AND ${leaseFree}`;
      values[":cutoff"] = new Date(now.getTime() - claim.minIntervalSeconds * 1000).toISOString();
    }
    const outcome = await conditionalWrite(
      this.doc,
      new UpdateCommand({
        TableName: this.tableName,
        Key: stateKey(accountId),
        UpdateExpression:
          `SET ${set}, readingLeaseUntil = :lease, accountId = :accountId, holds = if_not_exists(holds, :noHolds), ` +
          "headroom = if_not_exists(headroom, :zero), alert = if_not_exists(alert, :initialAlert) ADD version :one",
        ConditionExpression: condition,
        ExpressionAttributeValues: values,
        ReturnValues: "ALL_NEW",
      }),
    );
    return outcome.applied ? toAccountState(outcome.attributes ?? {}) : undefined;
  }

  /**
   * Records a poll in the state item: the new latest snapshot (never replacing a newer one), the alert
   * state, an exact headroom, and the holds this snapshot settles or that left the idempotency window
   * archived and removed. A failed poll (no snapshot) changes only the alert state.
   */
  async savePoll(accountId: string, poll: PollRecord, rules: PollRules): Promise<AccountState> {
    if (poll.snapshot === undefined) return this.saveFailedPoll(accountId, poll);
    for (let attempt = 0; attempt < MAX_POLL_ATTEMPTS; attempt++) {
      const current = await this.states.getAccountState(accountId);
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
    await Promise.all(
      dropped.map((hold) => this.reservations.archiveHold(accountId, hold, latest.unit, rules)),
    );
    const kept = Object.fromEntries(
      Object.entries(holds).filter(([id]) => !dropped.some((d) => d.id === id)),
    );
    const values: Record<string, unknown> = {
      ":latest": definedOnly(latest),
      ":alert": definedOnly(poll.alert ?? INITIAL_ALERT_STATE),
      ":headroom": exactHeadroom({ latest, holds: kept }, rules),
      ":at": poll.lastPollAt,
      ":accountId": accountId,
      ":one": 1,
    };
    const sets = [
      "latest = :latest",
      poll.alert ? "alert = :alert" : "alert = if_not_exists(alert, :alert)",
      "headroom = :headroom",
      "lastPollAt = :at",
      "accountId = :accountId",
    ];
    if (current === undefined) {
      sets.push("holds = :noHolds");
      values[":noHolds"] = {};
    } else {
      values[":version"] = current.version;
    }
    const removals = dropped.map((_, i) => `holds.#d${i}`);
    const outcome = await conditionalWrite(
      this.doc,
      new UpdateCommand({
        TableName: this.tableName,
        Key: stateKey(accountId),
        // A good reading ends the lease and any wait HeyGen asked for.
        UpdateExpression: `SET ${sets.join(", ")} REMOVE ${["readingLeaseUntil", "retryNotBefore", ...removals].join(", ")} ADD version :one`,
        ConditionExpression: current === undefined ? "attribute_not_exists(pk)" : "version = :version",
        ExpressionAttributeNames: dropped.length
          ? Object.fromEntries(dropped.map((hold, i) => [`#d${i}`, hold.id]))
          : undefined,
        ExpressionAttributeValues: values,
        ReturnValues: "ALL_NEW",
      }),
    );
    return outcome.applied ? toAccountState(outcome.attributes ?? {}) : undefined;
  }

  /** A failed or skipped reading: the alert state, HeyGen's "not before", and the lease ended. */
  private async saveFailedPoll(accountId: string, poll: PollRecord): Promise<AccountState> {
    const wait = poll.retryNotBefore;
    const sets = [
      poll.alert ? "alert = :alert" : "alert = if_not_exists(alert, :alert)",
      "accountId = :accountId",
      "holds = if_not_exists(holds, :noHolds)",
      "headroom = if_not_exists(headroom, :zero)",
      ...(wait ? ["retryNotBefore = :wait"] : []),
    ];
    const removals = ["readingLeaseUntil", ...(wait === null ? ["retryNotBefore"] : [])];
    const { Attributes } = await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: stateKey(accountId),
        UpdateExpression: `SET ${sets.join(", ")} REMOVE ${removals.join(", ")} ADD version :one`,
        ExpressionAttributeValues: {
          ":alert": definedOnly(poll.alert ?? INITIAL_ALERT_STATE),
          ":accountId": accountId,
          ":noHolds": {},
          ":zero": 0,
          ":one": 1,
          ...(wait ? { ":wait": wait } : {}),
        },
        ReturnValues: "ALL_NEW",
      }),
    );
    return toAccountState(Attributes ?? {});
  }
}

function newerSnapshot(current: BalanceSnapshot | undefined, incoming: BalanceSnapshot): BalanceSnapshot {
  if (current === undefined) return incoming;
  return Date.parse(current.observedAt) > Date.parse(incoming.observedAt) ? current : incoming;
}
