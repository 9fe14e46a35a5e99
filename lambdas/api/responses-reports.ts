import { Unit } from "#core/balance";
import * as z from "#core/zod";
import { withMeta } from "#core/zod-meta";
import { Amount, IsoTime } from "./responses.ts";

/** The answer schemas of the reports over the spend ledger (routes-reports.ts). */

const SpendGroup = z.strictObject({
  key: withMeta(z.string(), {
    description:
      "The label's value, budget id, principal, job type, or the UTC period (2026-03-01, 2026-W10, 2026-03).",
  }),
  amount: Amount,
  count: withMeta(z.number(), { description: "Commits (final or partial) in the group." }),
});

export const SpendReport = withMeta(
  z.strictObject({
    accountId: z.string(),
    unit: z.optional(Unit),
    from: IsoTime,
    to: IsoTime,
    groupBy: z.string(),
    total: Amount,
    count: z.number(),
    groups: z.array(SpendGroup),
    ungrouped: withMeta(z.optional(z.strictObject({ amount: Amount, count: z.number() })), {
      description: "The commits without the grouping's key (no such label, no budget, an explicit amount).",
    }),
  }),
  { id: "SpendReport" },
);
