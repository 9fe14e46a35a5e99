import { readPackagedJson } from "./packaged-file.ts";
import { PROBLEM_TYPES, type ProblemType } from "./problem-types.ts";

/**
 * What each problem type means, for `GET /problems/{type}` only: about 5 KB of text no other route reads, so it
 * is a JSON file next to the bundle (packaged-file.ts) rather than code in it. Keyed by problem type; a test
 * (test/unit/api/route-list.test.ts) holds its keys to PROBLEM_TYPES'.
 */
export const PROBLEM_EXPLANATIONS_FILE_NAME = "problem-explanations.json";

/** GET /problems/{type}'s answer: `{ type, status, title, explanation }`, or undefined for an unknown type. */
export async function explainProblemType(
  type: string,
): Promise<{ type: ProblemType; status: number; title: string; explanation: string } | undefined> {
  const known = Object.entries(PROBLEM_TYPES).find(([name]) => name === type);
  if (!known) return undefined;
  const explanations = await readPackagedJson<Record<ProblemType, string>>(PROBLEM_EXPLANATIONS_FILE_NAME);
  const [name, { status, title }] = known as [ProblemType, { status: number; title: string }];
  return { type: name, status, title, explanation: explanations[name] };
}
