import type { SpendEntry } from "#core/spend-ledger";
import { keys } from "#store/table";
import { definedOnly } from "./state-item.ts";

/**
 * A spend ledger entry (core/spend-ledger.ts) as an item under its account's partition, sorted by commit time
 * (table.ts `SPEND#…`), so a report of a time range is one Query of one key range.
 */

/** The item of `entry`, deleted by DynamoDB some time after epoch second `ttl`. */
export function spendItem(entry: SpendEntry, ttl: number): Record<string, unknown> {
  return definedOnly({
    pk: keys.account(entry.accountId),
    sk: keys.spend(entry.at, entry.reservationId, entry.seq),
    ...entry,
    ttl,
  });
}

/** The entry an item holds (the key and TTL are the item's, not the entry's). */
export function toSpendEntry(item: Record<string, unknown>): SpendEntry {
  const { pk: _pk, sk: _sk, ttl: _ttl, ...entry } = item;
  return entry as unknown as SpendEntry;
}
