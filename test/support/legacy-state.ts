import { createHash } from "node:crypto";

/**
 * The release before derived a keyed reservation's id from the Idempotency-Key; tests that write data as
 * that release did use the same derivation.
 */
export function legacyReservationId(accountId: string, idempotencyKey: string): string {
  const suffix = createHash("sha256").update(`${accountId}\u0000${idempotencyKey}`).digest("base64url");
  return `rsv_${accountId}_${suffix.slice(0, 22)}`;
}
