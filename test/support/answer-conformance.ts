import { answerSchemaOf } from "#api/answer-schemas";
import { Problem } from "#api/responses";
import type { RouteSpec } from "#api/route-spec";
import { ROUTES } from "#api/route-table";

const TEMPLATES = (Object.values(ROUTES) as RouteSpec[]).map((route) => ({
  route,
  pattern: new RegExp(`^${route.path.replace(/\{[^}]+\}/g, "[^/]+")}$`),
}));

/**
 * Holds an answer of the API to the schema its route declares for that status (route-table.ts), and a
 * problem+json answer to the Problem schema: every e2e call through test/support/e2e.ts checks it, so an
 * answer that drifts from the OpenAPI document fails the flow that made it. Throws naming the first issue.
 */
export function assertAnswerConforms(
  method: string,
  path: string,
  status: number,
  contentType: string,
  body: unknown,
): void {
  if (contentType.startsWith("application/problem+json")) {
    const problem = Problem.safeParse(body);
    if (!problem.success)
      throw new Error(`${method} ${path} ${status}: not a Problem: ${problem.error.message}`);
    return;
  }
  const pathname = path.split("?")[0] ?? path;
  const found = TEMPLATES.find((t) => t.route.method === method && t.pattern.test(pathname));
  const answer = found?.route.answers[status as 200 | 201 | 204];
  const schema = answer ? answerSchemaOf(answer) : undefined;
  if (!schema || !contentType.startsWith("application/json")) return;
  const result = schema.safeParse(body);
  if (!result.success) {
    throw new Error(`${method} ${path} ${status} does not match its schema: ${result.error.message}`);
  }
}
