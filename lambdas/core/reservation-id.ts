import { randomBytes } from "node:crypto";
import { ACCOUNT_ID_PATTERN } from "#core/account";

/**
 * Reservation ids carry their account (`rsv_<accountId>_<22 url-safe chars>`) so that a reservation is
 * found, committed or released with no index: the id names the partition. Account ids cannot contain
 * `_`, so the split is unambiguous.
 *
 * The 22 characters start with the creation time (12 lowercase hex digits of epoch milliseconds) followed by
 * 10 random characters, so that an account's holds sort by creation time under their key (listing, newest
 * first, is one Query).
 */
const PREFIX = "rsv_";
const SUFFIX_LENGTH = 22;
const TIME_DIGITS = 12;
const SUFFIX_PATTERN = /^[A-Za-z0-9_-]{22}$/;

/** A fresh id made at `now`; ids made later sort after it (two in the same millisecond: random order). */
export function reservationIdFor(accountId: string, now: Date = new Date()): string {
  const time = now.getTime().toString(16).padStart(TIME_DIGITS, "0");
  const random = randomBytes(8)
    .toString("base64url")
    .slice(0, SUFFIX_LENGTH - TIME_DIGITS);
  return `${PREFIX}${accountId}_${time}${random}`;
}

/** The account a reservation id belongs to, or undefined when the id is malformed. */
export function accountIdOfReservation(id: string): string | undefined {
  if (!id.startsWith(PREFIX) || id.length < PREFIX.length + SUFFIX_LENGTH + 2) return undefined;
  const separator = id.length - SUFFIX_LENGTH - 1;
  if (id[separator] !== "_" || !SUFFIX_PATTERN.test(id.slice(separator + 1))) return undefined;
  const accountId = id.slice(PREFIX.length, separator);
  return ACCOUNT_ID_PATTERN.test(accountId) ? accountId : undefined;
}
