import { type DynamoDBDocumentClient, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { type AccountState, INITIAL_ALERT_STATE } from "#core/account";
import { roundAmount } from "#core/reservations";
import type { AccountStateStore, PollRecord, PollRules, PollStore } from "#service/store-port";
import { conditionalWrite } from "./conditional-write.ts";
import { correctCounters } from "./counter-corrections.ts";
import { migrateLegacyHolds } from "./legacy-migration.ts";
import { definedOnly, stateKey } from "./state-item.ts";

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

  /** One conditional write: a tick delivered twice records, counts its failure and alerts once. */
  async claimTick(accountId: string, tick: string): Promise<boolean> {
    const outcome = await conditionalWrite(
      this.doc,
      new UpdateCommand({
        TableName: this.tableName,
        Key: stateKey(accountId),
        UpdateExpression: `SET lastPollTick = :tick, accountId = :accountId, ${COUNTERS_IF_NEW}, alert = if_not_exists(alert, :initialAlert) ADD version :one`,
        ConditionExpression: "attribute_not_exists(lastPollTick) OR lastPollTick <> :tick",
        ExpressionAttributeValues: {
          ":tick": tick,
          ":accountId": accountId,
          ":zero": 0,
          ":initialAlert": definedOnly(INITIAL_ALERT_STATE),
          ":one": 1,
        },
      }),
    );
    return outcome.applied;
  }

  /**
   * Records a poll on the state item: one write for the alert state and the poll's times, then one for the
   * snapshot (unless a newer one is recorded) with `headroom = remaining − reserveFloor − reserved`, computed
   * by DynamoDB from the counter as it stands, so no reserve in between can be missed. Then corrects the
   * counter for holds that expired and committed parts the recorded snapshot settles (cost: what is
   * corrected). A failed poll (no snapshot) changes only the alert state. Returns the state after.
   */
  async savePoll(accountId: string, poll: PollRecord, rules: PollRules): Promise<AccountState> {
    const values: Record<string, unknown> = {
      ":alert": definedOnly(poll.alert ?? INITIAL_ALERT_STATE),
      ":accountId": accountId,
      ":zero": 0,
      ":one": 1,
      ...(poll.refresh ? { ":at": poll.lastPollAt } : {}),
    };
    const sets = [
      poll.alert ? "alert = :alert" : "alert = if_not_exists(alert, :alert)",
      "accountId = :accountId",
      ...(poll.refresh ? ["lastRefreshAt = :at"] : []),
    ];
    const snapshot = poll.snapshot;
    if (snapshot !== undefined) {
      sets.push("lastPollTick = :tick", "lastPollAt = :pollAt");
      values[":tick"] = poll.tick;
      values[":pollAt"] = poll.lastPollAt;
      // The counters exist (COUNTERS_IF_NEW) before the snapshot's write, which reads `reserved`; an item the
      // release before wrote is migrated first (until then no reserve can land on it).
      const written = await this.write(accountId, [...sets, COUNTERS_IF_NEW], values);
      if (written.holds !== undefined) await migrateLegacyHolds(this.doc, this.tableName, accountId, rules);
      const recorded = await conditionalWrite(
        this.doc,
        new UpdateCommand({
          TableName: this.tableName,
          Key: stateKey(accountId),
          UpdateExpression: "SET latest = :latest, headroom = :free - reserved ADD version :one",
          ConditionExpression: "attribute_not_exists(latest) OR latest.observedAt <= :observedAt",
          ExpressionAttributeValues: {
            ":latest": definedOnly(snapshot),
            ":free": roundAmount(snapshot.remaining - rules.reserveFloor),
            ":observedAt": snapshot.observedAt,
            ":one": 1,
          },
        }),
      );
      const observedAt = recorded.applied
        ? snapshot.observedAt
        : ((await this.states.getAccountState(accountId))?.latest?.observedAt ?? snapshot.observedAt);
      await correctCounters(this.doc, this.tableName, accountId, {
        expiredUpToMs: rules.now.getTime(),
        settledUpToMs: Date.parse(observedAt) - rules.settleSeconds * 1000,
      });
    } else {
      await this.write(accountId, [...sets, COUNTERS_IF_NEW], values);
    }
    return (await this.states.getAccountState(accountId)) as AccountState;
  }

  /** An unconditional write; answers the item after it. */
  private async write(
    accountId: string,
    sets: string[],
    values: Record<string, unknown>,
  ): Promise<Record<string, unknown>> {
    const { Attributes } = await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: stateKey(accountId),
        UpdateExpression: `SET ${sets.join(", ")} ADD version :one`,
        ExpressionAttributeValues: values,
        ReturnValues: "ALL_NEW",
      }),
    );
    return Attributes ?? {};
  }
}
