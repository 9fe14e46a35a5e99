import { type DynamoDBDocumentClient, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { type AccountState, INITIAL_ALERT_STATE } from "#core/account";
import type { BalanceSnapshot } from "#core/balance";
import { correctionBounds } from "#core/corrections";
import { roundAmount } from "#core/reservations";
import type { AccountStateStore } from "#service/account-state-port";
import {
  type PollRecord,
  type PollRules,
  type PollStore,
  READING_LEASE_SECONDS,
  type ReadingClaim,
} from "#service/poll-port";
import { conditionalWrite } from "./conditional-write.ts";
import { correctCounters } from "./counter-corrections.ts";
import { definedOnly, stateKey, toAccountState } from "./state-item.ts";

/** Counters every write to the state item may rely on: present from the first write on. */
const COUNTERS_IF_NEW =
  "reserved = if_not_exists(reserved, :zero), headroom = if_not_exists(headroom, :zero), " +
  "openHolds = if_not_exists(openHolds, :zero)";

/** What a poll writes to the account's state item. */
export class DynamoPollStore implements PollStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly states: AccountStateStore,
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
          `SET ${set}, readingLeaseUntil = :lease, accountId = :accountId, ${COUNTERS_IF_NEW}, ` +
          "alert = if_not_exists(alert, :initialAlert) ADD version :one",
        ConditionExpression: condition,
        ExpressionAttributeValues: values,
        ReturnValues: "ALL_NEW",
      }),
    );
    return outcome.applied ? toAccountState(outcome.attributes ?? {}) : undefined;
  }

  /**
   * The snapshot's write computes `headroom = remaining − reserveFloor − reserved` in DynamoDB from the
   * counter as it stands, so no reserve in between can be missed; the corrections that follow cost what they
   * correct.
   */
  async recordSnapshot(
    accountId: string,
    snapshot: BalanceSnapshot,
    rules: PollRules,
  ): Promise<AccountState> {
    const recorded = await conditionalWrite(
      this.doc,
      new UpdateCommand({
        TableName: this.tableName,
        Key: stateKey(accountId),
        UpdateExpression:
          "SET latest = :latest, accountId = :accountId, alert = if_not_exists(alert, :alert), " +
          "reserved = if_not_exists(reserved, :zero), openHolds = if_not_exists(openHolds, :zero), " +
          "headroom = :free - if_not_exists(reserved, :zero) ADD version :one",
        ConditionExpression: "attribute_not_exists(latest) OR latest.observedAt <= :observedAt",
        ExpressionAttributeValues: {
          ":latest": definedOnly(snapshot),
          ":accountId": accountId,
          ":zero": 0,
          ":alert": definedOnly(INITIAL_ALERT_STATE),
          ":free": roundAmount(snapshot.remaining - rules.reserveFloor),
          ":observedAt": snapshot.observedAt,
          ":one": 1,
        },
        ReturnValues: "ALL_NEW",
      }),
    );
    let latest = recorded.applied ? recorded.attributes : undefined;
    if (latest === undefined) {
      latest = (await this.states.getAccountState(accountId)) as unknown as Record<string, unknown>;
    }
    const observedAt = String(
      (latest.latest as BalanceSnapshot | undefined)?.observedAt ?? snapshot.observedAt,
    );
    const corrected = await correctCounters(
      this.doc,
      this.tableName,
      accountId,
      correctionBounds(rules.now, observedAt, rules.settleSeconds),
    );
    return corrected > 0
      ? ((await this.states.getAccountState(accountId)) as AccountState)
      : toAccountState(latest);
  }

  async endReading(accountId: string, reading: PollRecord): Promise<AccountState> {
    const values: Record<string, unknown> = {
      ":alert": definedOnly(reading.alert ?? INITIAL_ALERT_STATE),
      ":accountId": accountId,
      ":zero": 0,
      ":one": 1,
    };
    const sets = [
      reading.alert ? "alert = :alert" : "alert = if_not_exists(alert, :alert)",
      "accountId = :accountId",
      COUNTERS_IF_NEW,
    ];
    const removals = ["readingLeaseUntil"];
    if (reading.snapshot !== undefined) {
      sets.push("lastPollAt = :pollAt");
      values[":pollAt"] = reading.lastPollAt;
      removals.push("retryNotBefore");
    } else if (reading.retryNotBefore) {
      sets.push("retryNotBefore = :wait");
      values[":wait"] = reading.retryNotBefore;
    } else if (reading.retryNotBefore === null) {
      removals.push("retryNotBefore");
    }
    return toAccountState(await this.write(accountId, sets, removals, values));
  }

  /** An unconditional write; answers the item after it. */
  private async write(
    accountId: string,
    sets: string[],
    removals: string[],
    values: Record<string, unknown>,
  ): Promise<Record<string, unknown>> {
    const { Attributes } = await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: stateKey(accountId),
        UpdateExpression: `SET ${sets.join(", ")} REMOVE ${removals.join(", ")} ADD version :one`,
        ExpressionAttributeValues: values,
        ReturnValues: "ALL_NEW",
      }),
    );
    return Attributes ?? {};
  }
}
