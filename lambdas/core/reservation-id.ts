import { createHash, randomBytes } from "node:crypto";
import { ACCOUNT_ID_PATTERN } from "#config/config";

/**
 * Reservation ids carry their account (`rsv_<accountId>_<22 url-safe chars>`) so that a reservation is
 * found, committed or released with no index: the id names the partition. Account ids cannot contain
 * `_`, so the split is unambiguous.
 */
const PREFIX = "rsv_";
const SUFFIX_LENGTH = 22;
const SUFFIX_PATTERN = /^[A-Za-z0-9_-]{22}$/;

/**
 * A fresh id, or, with an Idempotency-Key, the id derived from it: the same key for the same account always
 * maps to the same id, so repeated (even concurrent) requests meet at one hold.
 */
export function reservationIdFor(accountId: string, idempotencyKey?: string): string {
  const suffix =
    idempotencyKey === undefined
      ? randomBytes(16).toString("base64url")
      : createHash("sha256").update(`${accountId}\u0000${idempotencyKey}`).digest("base64url");
  return `${PREFIX}${accountId}_${suffix.slice(0, SUFFIX_LENGTH)}`;
}

/** The account a reservation id belongs to, or undefined when the id is malformed. */
export function accountIdOfReservation(id: string): string | undefined {
  if (!id.startsWith(PREFIX) || id.length < PREFIX.length + SUFFIX_LENGTH + 2) return undefined;
  const separator = id.length - SUFFIX_LENGTH - 1;
  if (id[separator] !== "_" || !SUFFIX_PATTERN.test(id.slice(separator + 1))) return undefined;
  const accountId = id.slice(PREFIX.length, separator);
  return ACCOUNT_ID_PATTERN.test(accountId) ? accountId : undefined;
}
