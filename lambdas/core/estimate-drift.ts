import { roundAmount } from "./reservations.ts";
import type { SpendEntry } from "./spend-ledger.ts";

/**
 * Estimate drift (docs/spend.md#estimate-drift): how far a rate card's estimates are from what the jobs really
 * cost, where the guard knows the real cost. Pure.
 *
 * Only commits priced by the duration HeyGen reported count (`commitBasis` `event-duration` or `video-duration`,
 * webhook-pricing.ts): there the commit is the card's own price of the real video, so actual / estimated measures
 * the estimate alone. A pipeline's own commit, or a webhook's `held-amount` one, says nothing about the card.
 */

/** One card's accuracy for one job type and engine; amounts in the entries' unit. */
export interface CardAccuracy {
  rateCard: string;
  /** The estimate's job type (`mixed` for a list of several); null when the estimate named none. */
  jobType: string | null;
  engine: string | null;
  /** Commits counted. */
  jobs: number;
  /** Σ estimatedAmount (the holds' estimates of the work committed). */
  estimated: number;
  /** Σ actualAmount (what that work cost at the reported durations). */
  actual: number;
  /** actual / estimated, to 4 decimals; above 1 the card under-estimates. Null when nothing was estimated. */
  ratio: number | null;
}

/** When a card's under-estimate warrants `estimate_drift` (config `alerts.estimateDrift`). */
export interface DriftRule {
  /** false: never judged (config `alerts.estimateDrift.enabled`). */
  enabled: boolean;
  /** ratio above which the card under-estimates (1.10: actual more than 10 % over the estimate). */
  ratio: number;
  /** Jobs a card must have before it is judged: a few long videos are no drift. */
  minJobs: number;
}

/** True for a commit priced from the duration HeyGen reported, with the estimate it settles. */
export function isDurationPriced(entry: SpendEntry): boolean {
  return (
    (entry.commitBasis === "event-duration" || entry.commitBasis === "video-duration") &&
    entry.rateCard !== undefined &&
    entry.estimatedAmount !== undefined &&
    entry.actualAmount !== undefined
  );
}

/** The accuracy of each (rateCard, jobType, engine) over `entries`, sorted by card, job type and engine. */
export function cardAccuracy(entries: readonly SpendEntry[]): CardAccuracy[] {
  const cards = new Map<string, CardAccuracy>();
  for (const entry of entries) {
    if (!isDurationPriced(entry)) continue;
    const card = {
      rateCard: entry.rateCard as string,
      jobType: entry.jobType ?? null,
      engine: entry.engine ?? null,
    };
    const key = cardKey(card);
    const sums = cards.get(key) ?? { ...card, jobs: 0, estimated: 0, actual: 0, ratio: null };
    sums.jobs += 1;
    sums.estimated += entry.estimatedAmount ?? 0;
    sums.actual += entry.actualAmount ?? 0;
    cards.set(key, sums);
  }
  return [...cards.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, sums]) => ({
      ...sums,
      estimated: roundAmount(sums.estimated),
      actual: roundAmount(sums.actual),
      ratio: sums.estimated > 0 ? Math.round((sums.actual / sums.estimated) * 10_000) / 10_000 : null,
    }));
}

/** The cards `rule` finds under-estimating: at least `minJobs` jobs and a ratio above `rule.ratio`. */
export function driftingCards(cards: readonly CardAccuracy[], rule: DriftRule): CardAccuracy[] {
  return cards.filter((card) => card.jobs >= rule.minJobs && card.ratio !== null && card.ratio > rule.ratio);
}

/**
 * Cards judged and found accurate again: enough jobs, ratio at or below `rule.ratio`. A card with too few jobs
 * is no news, so a card told about stays told about until it shows it is accurate.
 */
export function accurateCards(cards: readonly CardAccuracy[], rule: DriftRule): CardAccuracy[] {
  return cards.filter((card) => card.jobs >= rule.minJobs && card.ratio !== null && card.ratio <= rule.ratio);
}

/** `rateCard|jobType|engine`, the name a card's drift is remembered by in the alert state. */
export function cardKey(card: Pick<CardAccuracy, "rateCard" | "jobType" | "engine">): string {
  return `${card.rateCard}|${card.jobType ?? ""}|${card.engine ?? ""}`;
}
