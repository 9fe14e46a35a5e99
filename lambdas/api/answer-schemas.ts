import type * as z from "#core/zod";
import * as responses from "./responses.ts";
import * as checks from "./responses-checks.ts";
import * as controls from "./responses-controls.ts";
import * as reports from "./responses-reports.ts";
import * as spend from "./responses-spend.ts";
import type { Answer } from "./route-spec.ts";

const SCHEMAS: Record<string, unknown> = { ...responses, ...controls, ...checks, ...reports, ...spend };

/**
 * The schema an answer declares (route-spec.ts `answer("Name")` leaves only the name in the route table).
 * Build and test time only: the OpenAPI builder and the tests' answer checks import it, the Lambdas never do.
 * Throws for a name no answer module exports.
 */
export function answerSchemaOf(spec: Answer): z.ZodMiniType | undefined {
  const schema = spec.schema as unknown;
  if (typeof schema !== "string") return schema as z.ZodMiniType | undefined;
  const found = SCHEMAS[schema];
  if (found === undefined) throw new Error(`no answer schema named "${schema}"`);
  return found as z.ZodMiniType;
}
