import { afterAll, beforeAll } from "vitest";
import { type Hold, INITIAL_ALERT_STATE } from "#core/account";
import type { BalanceSnapshot } from "#core/balance";
import { reservationIdFor } from "#core/reservation-id";
import { computeBalanceView } from "#core/reservations";
import { connectDynamoDbLocal, type DynamoDbLocal } from "#local/dynamodb-local";
import type { PollRecord, PollRules } from "#service/poll-port";
import { type ReservationOperations, reservationOperations } from "#service/reservation-operations";
import type { ReserveRequest, ReserveResult } from "#service/reservation-port";
import type { AccountStore } from "#service/store-port";
import { createDynamoStore } from "#store/dynamo-store";
import { runDynamoDbEndpoint } from "./local-stack.ts";

/** Builders for the reservation and store tests. */

export const T0 = new Date("2026-03-01T12:00:00.000Z");

export function at(base: Date, seconds: number): Date {
  return new Date(base.getTime() + seconds * 1000);
}

export function snapshot(accountId: string, remaining: number, observedAt: Date): BalanceSnapshot {
  return {
    accountId,
    observedAt: observedAt.toISOString(),
    source: "v3",
    billingType: "wallet",
    unit: "credits",
    remaining,
    pools: [{ name: "wallet", remaining, unit: "credits" }],
  };
}

export function hold(accountId: string, fields: Partial<Hold> & Pick<Hold, "amount">): Hold {
  return {
    id: reservationIdFor(accountId),
    status: "held",
    createdAt: T0.toISOString(),
    expiresAtMs: at(T0, 3600).getTime(),
    ...fields,
  };
}

export const SETTLE_SECONDS = 60;
export const RETENTION_DAYS = 90;

/** A reserve request for `amount` credits made at `now`; `key` an Idempotency-Key, `ttl` in seconds. */
export function reserveRequest(
  accountId: string,
  amount: number,
  now: Date = T0,
  options: { key?: string; ttl?: number } = {},
): ReserveRequest {
  return {
    id: reservationIdFor(accountId, now),
    amount,
    ttlSeconds: options.ttl ?? 3600,
    unit: "credits",
    retentionDays: RETENTION_DAYS,
    ...(options.key === undefined
      ? {}
      : { idempotencyKey: { key: options.key, requestHash: `amount ${amount}` } }),
  };
}

/** The context of a commit, release or extend at `now`. */
export function settle(now: Date, reserveFloor = 0) {
  return { now, reserveFloor, settleSeconds: SETTLE_SECONDS };
}

export function pollRules(now: Date, reserveFloor = 0) {
  return { now, reserveFloor, settleSeconds: SETTLE_SECONDS, retentionDays: RETENTION_DAYS };
}

/** A whole reading's writes, as pollAccount makes them: the snapshot (when there is one), then its end. */
export async function savePoll(
  store: AccountStore,
  accountId: string,
  poll: PollRecord & { tick?: string },
  rules: PollRules,
) {
  if (poll.snapshot !== undefined) await store.recordSnapshot(accountId, poll.snapshot, rules);
  return store.endReading(accountId, poll);
}

/** Records a good poll of `remaining` observed at `now`, as the poller would. */
export function recordPoll(
  store: AccountStore,
  accountId: string,
  remaining: number,
  now: Date,
  reserveFloor = 0,
) {
  return savePoll(
    store,
    accountId,
    {
      tick: now.toISOString(),
      snapshot: snapshot(accountId, remaining, now),
      alert: INITIAL_ALERT_STATE,
      lastPollAt: now.toISOString(),
    },
    pollRules(now, reserveFloor),
  );
}

export interface StoreOnDynamoDbLocal {
  dynamo: DynamoDbLocal;
  tableName: string;
  /** The store with the reservation operations over it (service/reservation-operations.ts), as the use cases run them. */
  store: AccountStore & ReservationOperations;
}

/**
 * An AccountStore over a fresh table in the run's DynamoDB Local (test/setup/dynamodb-local.ts), made before
 * the file's tests and deleted after them. The fields are filled in `beforeAll`, so read them inside tests,
 * not at module scope.
 */
export function storeOnDynamoDbLocal(): StoreOnDynamoDbLocal {
  const local = {} as StoreOnDynamoDbLocal;
  beforeAll(async () => {
    local.dynamo = connectDynamoDbLocal(runDynamoDbEndpoint());
    local.tableName = await local.dynamo.createTable();
    const store = createDynamoStore(local.dynamo.doc, local.tableName);
    local.store = { ...store, ...reservationOperations(store) };
  });
  afterAll(async () => {
    await local.dynamo?.stop();
  });
  return local;
}

/** The id of the hold a reserve made or found; throws for any other outcome. */
export function heldId(result: ReserveResult): string {
  if (result.kind !== "created" && result.kind !== "existing")
    throw new Error(`expected a hold, got ${result.kind}`);
  return result.view.id;
}

/**
 * Helpers over one file's store on DynamoDB Local: `account` makes a fresh account whose available balance is
 * `available` at T0, `reserve` holds `amount` in it, `availableAt` reads its counters and balance view.
 */
export function reservationHelpers(local: StoreOnDynamoDbLocal) {
  let accounts = 0;
  return {
    async account(available: number, reserveFloor = 0): Promise<string> {
      const accountId = `acct-${++accounts}`;
      await recordPoll(local.store, accountId, available + reserveFloor, T0, reserveFloor);
      return accountId;
    },
    reserve(accountId: string, amount: number, now = T0, options: { key?: string; ttl?: number } = {}) {
      return local.store.reserve(accountId, reserveRequest(accountId, amount, now, options), settle(now));
    },
    async availableAt(accountId: string, now: Date, reserveFloor = 0) {
      const state = await local.store.getAccountState(accountId);
      if (state === undefined) throw new Error(`no state for ${accountId}`);
      return {
        view: computeBalanceView(state, settle(now, reserveFloor)),
        headroom: state.headroom,
        openHolds: state.openHolds,
      };
    },
  };
}
