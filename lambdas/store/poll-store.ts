import { type DynamoDBDocumentClient, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { type AccountState, INITIAL_ALERT_STATE } from "#core/account";
import type { BalanceSnapshot } from "#core/balance";
import { exactHeadroom, holdsToArchive } from "#core/reservations";
import {
  type AccountStateStore,
  type PollRecord,
  type PollRules,
  type PollStore,
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
   * One conditional write: a tick delivered twice records, counts its failure and alerts once.
   */
  async claimTick(accountId: string, tick: string): Promise<boolean> {
    const outcome = await conditionalWrite(
      this.doc,
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
    return outcome.applied;
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
    const outcome = await conditionalWrite(
      this.doc,
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
    return outcome.applied ? toAccountState(outcome.attributes ?? {}) : undefined;
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
}

function newerSnapshot(current: BalanceSnapshot | undefined, incoming: BalanceSnapshot): BalanceSnapshot {
  if (current === undefined) return incoming;
  return Date.parse(current.observedAt) > Date.parse(incoming.observedAt) ? current : incoming;
}
