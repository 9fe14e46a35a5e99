import { createHash } from "node:crypto";
import type { Hold } from "#core/account";
import { INDEX_ATTRIBUTES, keys, TABLE } from "#store/table";
import { definedOnly } from "./state-item.ts";

/**
 * The items of a hold: the hold itself (sk `HOLD#<id>`), one per committed part (sk `CAPTURE#<id>#<n>`), and
 * Idempotency-Key answers (sk `IDEMPOTENCY#<hash>`). The `open` and `held` index attributes are present
 * exactly while the hold's held part, or the committed part, is counted in the account's `reserved`.
 */

/** Hold item attributes beyond the Hold itself. */
export interface HoldItemMeta {
  /** Bumped by every write; every change to a hold is conditional on the version it read. */
  version: number;
  /** Committed parts so far (numbers the capture items). */
  captures: number;
}

export type StoredHold = Hold & HoldItemMeta;

export function holdKey(accountId: string, reservationId: string) {
  return { pk: keys.account(accountId), sk: keys.hold(reservationId) };
}

/** The index attributes of a hold whose held part counts. */
export function openHoldIndex(accountId: string, hold: Pick<Hold, "id" | "expiresAtMs" | "createdAt">) {
  return {
    [TABLE.indexes.open.partitionKey]: keys.account(accountId),
    [TABLE.indexes.open.sortKey]: keys.openHeld(hold.expiresAtMs, hold.id),
    [TABLE.indexes.held.partitionKey]: keys.account(accountId),
    [TABLE.indexes.held.sortKey]: keys.heldSince(hold.createdAt, hold.id),
  };
}

/** The hold item as written (index attributes included when its held part counts). */
export function holdItem(
  accountId: string,
  hold: StoredHold,
  options: { counted: boolean; ttl: number },
): Record<string, unknown> {
  return definedOnly({
    ...holdKey(accountId, hold.id),
    ...hold,
    // As JSON text: a spec is the caller's input, and DynamoDB refuses numbers JSON allows (5e-324
    // underflows); the estimate's numbers are computed and bounded.
    spec: hold.spec === undefined ? undefined : JSON.stringify(hold.spec),
    ...(options.counted ? openHoldIndex(accountId, hold) : {}),
    ttl: options.ttl,
  });
}

const ITEM_ONLY = new Set<string>([
  TABLE.partitionKey.name,
  TABLE.sortKey.name,
  TABLE.timeToLiveAttribute,
  ...INDEX_ATTRIBUTES,
  "version",
  "captures",
  // A waiting Step Functions task's token and the result it is owed (task-callback-store.ts): never shown.
  "taskToken",
  "taskResult",
  "resultSentTo",
]);

export function toStoredHold(item: Record<string, unknown>): StoredHold {
  const hold = Object.fromEntries(
    Object.entries(item).filter(([key]) => !ITEM_ONLY.has(key)),
  ) as unknown as Hold;
  if (typeof hold.spec === "string") hold.spec = JSON.parse(hold.spec);
  return { ...hold, version: Number(item.version ?? 0), captures: Number(item.captures ?? 0) };
}

export function captureItem(
  accountId: string,
  hold: Pick<Hold, "id">,
  part: { n: number; amount: number; committedAt: string; ttl: number },
): Record<string, unknown> {
  return {
    pk: keys.account(accountId),
    sk: keys.capture(hold.id, part.n),
    reservationId: hold.id,
    amount: part.amount,
    committedAt: part.committedAt,
    [TABLE.indexes.open.partitionKey]: keys.account(accountId),
    [TABLE.indexes.open.sortKey]: `${keys.openCommitted(Date.parse(part.committedAt), hold.id)}#${part.n}`,
    ttl: part.ttl,
  };
}

/** The key of an Idempotency-Key's answer to `operation` on `scope` (the account, or a reservation). */
export function idempotencyKey(accountId: string, operation: string, scope: string, key: string) {
  const hash = createHash("sha256").update(`${operation}\u0000${scope}\u0000${key}`).digest("base64url");
  return { pk: keys.account(accountId), sk: keys.idempotency(hash) };
}

/** TTL of a hold's items: `retentionDays` after it expires. */
export function holdTtl(expiresAtMs: number, retentionDays: number): number {
  return Math.floor(expiresAtMs / 1000) + retentionDays * 86_400;
}
