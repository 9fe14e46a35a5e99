import { INITIAL_ALERT_STATE } from "#core/account";
import type { Unit } from "#core/balance";
import type { AccountStore } from "#service/store-port";

/**
 * Records one good reading of `remaining` for `accountId` at `now`, as the poller would (the snapshot, then
 * the reading's end), so the bench's reserves are judged against it. Kept a day.
 */
export async function recordBalance(
  store: Pick<AccountStore, "recordSnapshot" | "endReading">,
  accountId: string,
  remaining: number,
  unit: Unit,
  now: Date,
): Promise<void> {
  const snapshot = {
    accountId,
    observedAt: now.toISOString(),
    source: "v3" as const,
    billingType: "wallet" as const,
    unit,
    remaining,
    pools: [{ name: "wallet", remaining, unit }],
  };
  await store.recordSnapshot(accountId, snapshot, {
    now,
    reserveFloor: 0,
    settleSeconds: 60,
    retentionDays: 1,
  });
  await store.endReading(accountId, {
    snapshot,
    alert: INITIAL_ALERT_STATE,
    lastPollAt: snapshot.observedAt,
  });
}
