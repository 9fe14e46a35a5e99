import * as z from "#core/zod";
import { withMeta } from "#core/zod-meta";

/**
 * Answer schemas of reconciliation and estimate accuracy (docs/spend.md), and the facts the spend alerts carry
 * (core/spend-alerts.ts). Apart from responses.ts, which imports the alerts' facts from here.
 */

const Time = withMeta(z.string(), { description: "ISO 8601 time." });
const Amount = withMeta(z.number(), { description: "In the account's balance unit (`unit`)." });

/** One card's accuracy (core/estimate-drift.ts CardAccuracy). */
const CardAccuracyShape = {
  rateCard: z.string(),
  jobType: withMeta(z.nullable(z.string()), {
    description: "The estimate's job type; null when it named none.",
  }),
  engine: withMeta(z.nullable(z.string()), {
    description: "The estimate's engine; null when it named none.",
  }),
  jobs: withMeta(z.number(), { description: "Duration-priced commits counted." }),
  estimated: withMeta(Amount, { description: "Σ the holds' estimates of the work committed." }),
  actual: withMeta(Amount, { description: "Σ what that work cost at the durations HeyGen reported." }),
};

export const UnexplainedFacts = z.strictObject({
  observed: Amount,
  committed: Amount,
  unexplained: Amount,
  threshold: withMeta(Amount, { description: "max(minimum, percentOfStartBalance % of startBalance)." }),
  startBalance: Amount,
  from: withMeta(Time, { description: "The window's first snapshot." }),
  to: withMeta(Time, { description: "The window's last snapshot." }),
  settleSeconds: z.number(),
});

export const DriftFacts = z.strictObject({
  ...CardAccuracyShape,
  ratio: withMeta(z.number(), { description: "actual / estimated." }),
  threshold: withMeta(z.number(), { description: "The ratio above which the card under-estimates." }),
  minJobs: withMeta(z.number(), { description: "Jobs a card needs before it is judged." }),
});

const nullableTime = (description: string) => withMeta(z.nullable(Time), { description });

export const Reconciliation = withMeta(
  z.strictObject({
    accountId: z.string(),
    observed: withMeta(Amount, {
      description: "Σ decreases between consecutive snapshots in the window; top-ups and resets left out.",
    }),
    committed: withMeta(Amount, { description: "Σ the ledger's commits in the commit window." }),
    unexplained: withMeta(Amount, { description: "max(0, observed − committed)." }),
    overCommitted: withMeta(Amount, { description: "max(0, committed − observed)." }),
    unsettled: withMeta(Amount, {
      description:
        "Of committed: commits within settleSeconds before the last snapshot, HeyGen may not show yet.",
    }),
    held: withMeta(Amount, {
      description: "What the guard counts against the balance now: open holds and commits not yet settled.",
    }),
    startBalance: withMeta(z.nullable(z.number()), {
      description: "The balance at the first snapshot used.",
    }),
    unit: withMeta(z.nullable(z.enum(["usd", "credits"])), { description: "The newest snapshot's unit." }),
    snapshots: withMeta(z.number(), { description: "Snapshots used." }),
    commits: withMeta(z.number(), { description: "Ledger entries counted." }),
    window: z.strictObject({
      from: Time,
      to: withMeta(Time, { description: "Excluded." }),
      firstSnapshotAt: nullableTime("The first snapshot used; null with fewer than two."),
      lastSnapshotAt: nullableTime("The last snapshot used; null with fewer than two."),
      settleSeconds: withMeta(z.number(), {
        description: "How long after a commit HeyGen's balance may show it (reservations.settleSeconds).",
      }),
      commitsFrom: nullableTime("Commits count from here: firstSnapshotAt − settleSeconds."),
      commitsTo: nullableTime("…to here, included: lastSnapshotAt."),
    }),
  }),
  { id: "Reconciliation" },
);

export const RateCardAccuracy = withMeta(
  z.strictObject({
    cards: z.array(
      z.strictObject({
        ...CardAccuracyShape,
        ratio: withMeta(z.nullable(z.number()), {
          description:
            "actual / estimated (4 decimals); above 1 the card under-estimates; null: nothing estimated.",
        }),
      }),
    ),
  }),
  { id: "RateCardAccuracy" },
);

const Spent = z.strictObject({ key: z.string(), amount: Amount, count: z.number() });

/** A digest's facts (core/digest.ts DigestFacts). */
export const DigestFacts = z.strictObject({
  every: z.enum(["day", "week"]),
  period: withMeta(z.string(), { description: "The UTC day (2026-12-03) or ISO week (2026-W49) summed." }),
  from: Time,
  to: Time,
  spent: withMeta(Amount, { description: "Committed through the guard in the period." }),
  commits: z.number(),
  topLabels: z.array(
    z.strictObject({ label: z.string(), value: z.string(), amount: Amount, count: z.number() }),
  ),
  budgets: z.array(Spent),
  largestJobs: z.array(
    z.strictObject({
      reservationId: z.string(),
      amount: Amount,
      jobType: z.optional(z.string()),
      labels: z.optional(z.record(z.string(), z.string())),
    }),
  ),
  unexplained: withMeta(z.optional(Amount), {
    description: "HeyGen's consumption in the period that the guard's commits do not explain.",
  }),
});
