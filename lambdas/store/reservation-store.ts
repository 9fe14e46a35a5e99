import { type DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import type { Hold } from "#core/account";
import type { HoldRecord, KeyAnswer } from "#core/hold-record";
import { accountIdOfReservation } from "#core/reservation-id";
import type { ReservationWrite, WriteOutcome } from "#core/reservation-writes";
import type { ReservationView } from "#core/reservations";
import type { HoldPage, ReservationQuery, ReservationStore } from "#service/reservation-port";
import { correctCounters } from "./counter-corrections.ts";
import { holdKey, idempotencyKey, toStoredHold } from "./hold-items.ts";
import { DynamoReservationReads } from "./reservation-reads.ts";
import { applyReservationWrites, toKeyAnswer } from "./reservation-transactions.ts";

/**
 * Credit holds, one item each, counted against the balance by the account state item's `reserved` and
 * `headroom`, which every change to what a hold counts updates in the same transaction. This adapter reads
 * and applies what the planners (lambdas/core/*-plan.ts) decided; why each write is shaped as it is, and
 * what each costs: docs/reservations.md.
 */
export class DynamoReservationStore implements ReservationStore {
  private readonly reads: DynamoReservationReads;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {
    this.reads = new DynamoReservationReads(doc, tableName);
  }

  async readHold(reservationId: string): Promise<HoldRecord | undefined> {
    const accountId = accountIdOfReservation(reservationId);
    if (accountId === undefined) return undefined;
    const { Item } = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: holdKey(accountId, reservationId),
        ConsistentRead: true,
      }),
    );
    return Item && { ...toStoredHold(Item), accountId, ttl: Number(Item.ttl ?? 0) };
  }

  async readKeyAnswer(
    accountId: string,
    operation: string,
    scope: string,
    key: string,
  ): Promise<KeyAnswer | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: idempotencyKey(accountId, operation, scope, key),
        ConsistentRead: true,
      }),
    );
    return Item && toKeyAnswer(Item);
  }

  applyWrites(writes: ReservationWrite[]): Promise<WriteOutcome> {
    return applyReservationWrites(this.doc, this.tableName, writes);
  }

  getReservation(reservationId: string, now: Date): Promise<ReservationView | undefined> {
    return this.reads.getReservation(reservationId, now);
  }

  listReservations(accountId: string, query: ReservationQuery, now: Date): Promise<HoldPage> {
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
