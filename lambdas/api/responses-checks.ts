import { Unit } from "#core/balance";
import * as z from "#core/zod";
import { withMeta } from "#core/zod-meta";
import { Amount, EstimateAnswer, IsoTime, nullable } from "./responses.ts";
import { Budget } from "./responses-controls.ts";

/** The answer schema of a check, which may name a budget (responses-controls.ts) as well as the account. */

export const CheckAnswer = withMeta(
  z.strictObject({
    allowed: z.boolean(),
    decision: z.enum(["allow", "deny", "unknown"]),
    reason: z.string(),
    accountId: z.string(),
    unit: Unit,
    required: Amount,
    remaining: nullable(z.number(), "The recorded balance; null before the first good reading."),
    reserved: Amount,
    available: nullable(
      z.number(),
      "remaining − reserved − reserveFloor; null while the balance is unknown.",
    ),
    remainingAfter: nullable(z.number(), "available − required."),
    shortfall: nullable(z.number(), "How much is missing for the job to fit; 0 when it fits."),
    balanceObservedAt: z.nullable(IsoTime),
    balanceAgeSeconds: z.nullable(z.number()),
    estimate: withMeta(z.optional(EstimateAnswer), {
      description: "The job(s)' estimate; absent when the check named an `amount`.",
    }),
    budget: withMeta(z.optional(Budget), { description: "The budget the check named, as it is now." }),
    labels: withMeta(z.optional(z.record(z.string(), z.string())), {
      description: "The labels a reservation of this job would keep: the request's, over its budget's.",
    }),
    warnings: z.array(z.string()),
  }),
  { id: "CheckAnswer", description: "A no is an answer (allowed: false), not an error." },
);
