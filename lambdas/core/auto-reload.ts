import type { BalanceSnapshot } from "#core/balance";

/**
 * HeyGen's wallet auto-reload (v3 `wallet.auto_reload`, docs/alerts.md#auto-reload): when it is on, HeyGen
 * charges the payment method and adds `amountUsd` once the balance falls below `thresholdUsd`. Two rules
 * follow from it, both pure:
 * - the forecast does not run such a balance out past its reload (core/forecast.ts `cappedByAutoReloadAt`);
 * - a balance that stays below the threshold for AUTO_RELOAD_MISSED_AFTER_READINGS readings without a rise,
 *   the last at least AUTO_RELOAD_GRACE_MINUTES after the first, means the reload did not happen (a declined
 *   card, a cap): `auto_reload_missed`, once, until a rise. The grace keeps a refresh a minute after a poll
 *   from counting as the second "poll" before HeyGen had time to reload.
 */

/** What the alert policy remembers of auto-reload between readings (in AlertState.autoReload). */
export interface AutoReloadWatch {
  /** Readings in a row below the threshold with no rise between them; 0 at or above it. */
  belowReadings: number;
  /** HeyGen's balance at the last reading (usd), so that the next can tell a reload (a rise). */
  remaining: number;
  /** When the first of the readings below was observed (ISO time); absent at or above the threshold. */
  belowSince?: string;
  /** When auto_reload_missed was sent (ISO time); cleared by a rise or a balance back at the threshold. */
  notifiedAt?: string;
}

/** Readings below the threshold, without a reload, before auto_reload_missed. */
export const AUTO_RELOAD_MISSED_AFTER_READINGS = 2;
/** Minutes from the first reading below to the one that may say the reload was missed: one 5-minute poll. */
export const AUTO_RELOAD_GRACE_MINUTES = 5;

/** The reload threshold (usd) of a wallet whose auto-reload is on; undefined when off, unknown or not usd. */
export function reloadThresholdOf(snapshot: BalanceSnapshot | undefined): number | undefined {
  const reload = snapshot?.autoReload;
  if (!reload?.enabled || snapshot?.unit !== "usd") return undefined;
  return reload.thresholdUsd;
}

/**
 * The watch after a good reading, and whether it is time to say the reload was missed (`missed`: the
 * policy plans auto_reload_missed; markSent then sets `notifiedAt`). `watch` undefined: auto-reload is off
 * or its threshold unknown, and nothing is watched.
 */
export function watchAutoReload(
  previous: AutoReloadWatch | undefined,
  snapshot: BalanceSnapshot,
): { watch?: AutoReloadWatch; missed: boolean } {
  const threshold = reloadThresholdOf(snapshot);
  if (threshold === undefined) return { missed: false };
  const rose = previous !== undefined && snapshot.remaining > previous.remaining;
  const below = snapshot.remaining < threshold;
  // A rise is a reload: the count starts again from this reading, and a sent alert is cleared.
  const belowReadings = !below ? 0 : rose || previous === undefined ? 1 : previous.belowReadings + 1;
  const notifiedAt = rose || !below ? undefined : previous?.notifiedAt;
  const belowSince = !below ? undefined : belowReadings === 1 ? snapshot.observedAt : previous?.belowSince;
  const watch: AutoReloadWatch = {
    belowReadings,
    remaining: snapshot.remaining,
    ...(belowSince ? { belowSince } : {}),
    ...(notifiedAt ? { notifiedAt } : {}),
  };
  // A watch written before belowSince existed is judged by its count alone.
  const waited =
    belowSince === undefined ||
    Date.parse(snapshot.observedAt) - Date.parse(belowSince) >= AUTO_RELOAD_GRACE_MINUTES * 60_000;
  return {
    watch,
    missed: belowReadings >= AUTO_RELOAD_MISSED_AFTER_READINGS && waited && notifiedAt === undefined,
  };
}
