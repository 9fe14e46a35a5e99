import { Rational } from "#core/decimal";
import type { HoldRecord } from "#core/hold-record";
import type { KeyAnswerWrite, ReservationWrite } from "#core/reservation-writes";
import type { ReservationQuery } from "#service/reservation-port";

/** The items of the in-memory reservation store (memory-reservation-store.ts), as the DynamoDB table keeps them. */

/** A hold item: the record, and its `open`/`held` index entry while its held part counts (openSk's expiry). */
export interface HoldItem {
  record: HoldRecord;
  open?: { expiresAtMs: number };
}

/** A committed part's item; `open` while it counts in `reserved`. */
export interface CaptureItem {
  accountId: string;
  reservationId: string;
  n: number;
  amount: number;
  committedAt: string;
  ttl: number;
  open: boolean;
}

/** The error a lost answer surfaces as when the SDK does not retry (its classifier calls it transient). */
export class LostAnswerError extends Error {
  override readonly name = "TimeoutError";
  constructor() {
    super("the transaction was sent and applied, but its answer never came back");
  }
}

/** DynamoDB adds numbers as decimals: 0.1 + 0.2 is 0.3. */
export function add(a: number, b: number): number {
  return Rational.fromNumber(a).add(Rational.fromNumber(b)).toNumber();
}

/** What a DynamoDB write and read give back: a copy, undefined values dropped. */
export function copy<T>(value: T): T {
  return structuredClone(value);
}

export function definedFields<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export const holdSk = (id: string) => `HOLD#${id}`;
export const keyOf = (accountId: string, operation: string, scope: string, key: string) =>
  `${accountId}\u0000${operation}\u0000${scope}\u0000${key}`;

export function answerKey(write: KeyAnswerWrite): string {
  return keyOf(write.accountId, write.operation, write.scope, write.key.key);
}

/** The item a write targets (a transaction may name each item once). */
export function itemOf(write: ReservationWrite): string {
  switch (write.write) {
    case "counter":
      return `STATE#${write.accountId}`;
    case "new-hold":
    case "hold-change":
      return holdSk(write.hold.id);
    case "capture":
      return `CAPTURE#${write.hold.id}#${write.n}`;
    case "key-answer":
      return `KEY#${answerKey(write)}`;
    case "budget":
      return `BUDGET#${write.accountId}/${write.budgetId}`;
    case "ledger":
      return `SPEND#${write.entry.reservationId}#${write.entry.seq}`;
  }
}

export function matchesStatus(hold: HoldRecord, status: ReservationQuery["status"], now: Date): boolean {
  if (status === undefined) return true;
  if (status === "held") return hold.status === "held" && hold.expiresAtMs > now.getTime();
  if (status === "expired") return hold.status === "held" && hold.expiresAtMs <= now.getTime();
  return hold.status === status;
}
