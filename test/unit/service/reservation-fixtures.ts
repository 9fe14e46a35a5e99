import { reservationIdFor } from "#core/reservation-id";
import type { BalanceRules } from "#core/reservations";
import type { HoldChangeContext, ReserveRequest } from "#service/reservation-port";
import { NOW, snapshotOf } from "./fakes.ts";
import { MemoryReservationStore } from "./memory-reservation-store.ts";

/** Shared setup of the reservation unit tests: one account "acme" in credits, its balance recorded at NOW. */

export const ACCOUNT = "acme";
export const SETTLE_SECONDS = 60;
export const RETENTION_DAYS = 30;

export function rulesAt(now: Date = NOW, reserveFloor = 0): BalanceRules {
  return { now, reserveFloor, settleSeconds: SETTLE_SECONDS };
}

export function contextAt(now: Date = NOW, fields: Partial<HoldChangeContext> = {}): HoldChangeContext {
  return { ...rulesAt(now), ...fields };
}

export function later(seconds: number, from: Date = NOW): Date {
  return new Date(from.getTime() + seconds * 1000);
}

/** A store whose account has `remaining` credits recorded at `observedAt` (by the poll's own write). */
export async function storeWithBalance(
  remaining: number,
  observedAt: Date = NOW,
  reserveFloor = 0,
): Promise<MemoryReservationStore> {
  const store = new MemoryReservationStore();
  await store.recordSnapshot(ACCOUNT, snapshotOf(ACCOUNT, remaining, observedAt), {
    ...rulesAt(observedAt, reserveFloor),
    retentionDays: RETENTION_DAYS,
  });
  return store;
}

/** A reserve of `amount` credits made at `now`, held for `ttlSeconds`. */
export function reserveOf(
  amount: number,
  fields: Partial<ReserveRequest> = {},
  now: Date = NOW,
): ReserveRequest {
  return {
    id: reservationIdFor(ACCOUNT, now),
    amount,
    ttlSeconds: 600,
    unit: "credits",
    retentionDays: RETENTION_DAYS,
    ...fields,
  };
}

export function keyed(key: string, requestHash = `hash-of-${key}`) {
  return { key, requestHash };
}
