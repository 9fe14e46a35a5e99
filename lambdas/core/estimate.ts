import { Unit } from "./balance.ts";
import { Engine, JobType, Resolution } from "./job-spec.ts";
import * as z from "./zod.ts";
import { described } from "./zod-meta.ts";

/**
 * What an estimate answers (estimator.ts makes it): the schemas, for the OpenAPI document and the answer
 * checks (lambdas/api/responses.ts), and the types. The Lambdas import only the types, so these schemas, which
 * validate nothing at run time, stay out of their bundles (docs/bundles-and-tracing.md).
 */

export const EstimateLine = z.strictObject({
  job: described(z.number().check(z.int()), "EstimateLine.job"),
  type: JobType,
  engine: described(z.nullable(Engine), "EstimateLine.engine"),
  item: described(z.string(), "EstimateLine.item"),
  resolution: Resolution,
  billableSeconds: described(z.nullable(z.number()), "EstimateLine.billableSeconds"),
  rate: described(z.number(), "EstimateLine.rate"),
  rateUnit: described(z.string(), "EstimateLine.rateUnit"),
  cost: described(z.number(), "EstimateLine.cost"),
  count: z.number().check(z.int()),
  notes: z.array(z.string()),
});
export type EstimateLine = z.infer<typeof EstimateLine>;

export const Estimate = z.strictObject({
  rateCard: described(z.string(), "Estimate.rateCard"),
  unit: Unit,
  total: described(z.number(), "Estimate.total"),
  totalExact: described(z.string(), "Estimate.totalExact"),
  lines: z.array(EstimateLine),
  assumptions: z.array(z.string()),
  warnings: z.array(z.string()),
});
export type Estimate = z.infer<typeof Estimate>;
