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
