/**
 * What a correction may take out of the account's counter: held holds that expired at or before
 * `expiredUpToMs`, and committed parts committed at or before `settledUpToMs` (the recorded snapshot's
 * `observedAt` − settleSeconds: HeyGen's balance shows them). Both epoch ms.
 */
export interface CorrectionBounds {
  expiredUpToMs: number;
  /** Absent while no snapshot is recorded: no committed part is settled yet. */
  settledUpToMs?: number;
}

/** The last commit time (epoch ms) a snapshot observed at `observedAt` settles; undefined without one. */
export function settledUpToMs(observedAt: string | undefined, settleSeconds: number): number | undefined {
  return observedAt === undefined ? undefined : Date.parse(observedAt) - settleSeconds * 1000;
}

/** The bounds of a correction made at `now` with the snapshot observed at `observedAt` recorded. */
export function correctionBounds(
  now: Date,
  observedAt: string | undefined,
  settleSeconds: number,
): CorrectionBounds {
  const settled = settledUpToMs(observedAt, settleSeconds);
  return { expiredUpToMs: now.getTime(), ...(settled !== undefined ? { settledUpToMs: settled } : {}) };
}
