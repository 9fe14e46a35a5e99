import type { Hold } from "./account.ts";
import type { Unit } from "./balance.ts";
import type { ReservationView } from "./reservations.ts";

/**
 * A hold as the store keeps it: the Hold, the account it belongs to, and what every change to it is
 * conditional on. Planners read it and plan writes against exactly this version.
 */
export interface HoldRecord extends Hold {
  accountId: string;
  /** Bumped by every write; every change to a hold is conditional on the version it read. */
  version: number;
  /** Committed parts so far (numbers the capture items). */
  captures: number;
  /** Epoch seconds after which the hold's items may be deleted (TTL); capture items share it. */
  ttl: number;
}

/** An Idempotency-Key and the fingerprint of the request it came with (same key, other request: refused). */
export interface IdempotencyKeyUse {
  key: string;
  /** A hash of the request's method, path and body. */
  requestHash: string;
}

/** What an Idempotency-Key answered within its window: the hold it made or changed, and for a change its view. */
export interface KeyAnswer {
  reservationId: string;
  /** Absent on answers written before fingerprints existed: such an answer matches any request. */
  requestHash?: string;
  view?: ReservationView;
  /** Epoch ms; at or after it the key is free again. */
  expiresAtMs: number;
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

/** How long an Idempotency-Key is remembered: the same key within it gets the same answer. */
export const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;

/** The answer if it is still within its window at `now`, else undefined (the key may be used again). */
export function liveKeyAnswer(answer: KeyAnswer | undefined, now: Date): KeyAnswer | undefined {
  return answer !== undefined && answer.expiresAtMs > now.getTime() ? answer : undefined;
}

/** True when `answer` was given to this very request (same fingerprint, or one recorded without any). */
export function answersSameRequest(answer: KeyAnswer, key: IdempotencyKeyUse): boolean {
  return answer.requestHash === undefined || answer.requestHash === key.requestHash;
}
