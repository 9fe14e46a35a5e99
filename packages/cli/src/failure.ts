import {
  AuthorizationError,
  ConflictError,
  InsufficientBalanceError,
  type Problem,
  problemType,
  QuotaGuardError,
  ServiceUnavailableError,
} from "@heygen-quota-guard/client";
import { CommanderError } from "commander";
import { EXIT, type ExitCode } from "./exit-codes.ts";

/** A mistake in the command line that the CLI finds itself (an unreadable --script-file, a bad --since). */
export class UsageError extends Error {
  override name = "UsageError";
}

const localProblem = (kind: string, title: string, status: number, detail: string): Problem => ({
  type: `about:blank#${kind}`,
  title,
  status,
  detail,
});

/** 409s that are a "no" to spending now (exit 1), not a mistake in the request. */
const NO_ANSWERS = new Set([
  "balance-unknown",
  "paused",
  "budget-exhausted",
  "budget-max-per-job",
  "no-free-slot",
]);

/**
 * What a failure means for the caller: the exit code and the problem to print on stderr. API errors keep
 * the problem+json the API answered; local failures get one in the same shape.
 */
export function describeFailure(error: unknown): { code: ExitCode; problem: Problem } {
  if (error instanceof QuotaGuardError) {
    const { problem } = error;
    if (error instanceof InsufficientBalanceError) return { code: EXIT.no, problem };
    if (error instanceof ConflictError && NO_ANSWERS.has(problemType(problem) ?? "")) {
      return { code: EXIT.no, problem };
    }
    if (error instanceof AuthorizationError) return { code: EXIT.auth, problem };
    if (error instanceof ServiceUnavailableError || error.status >= 500) {
      return { code: EXIT.unavailable, problem };
    }
    return { code: EXIT.usage, problem };
  }
  if (error instanceof CommanderError || error instanceof UsageError) {
    const detail = error.message.replace(/^error: /, "");
    return { code: EXIT.usage, problem: localProblem("usage", "Usage error", 400, detail) };
  }
  // The AWS SDK's credential chain found nothing usable (no env, profile, SSO or role), or an SSO token
  // that has expired.
  if (error instanceof Error && ["CredentialsProviderError", "TokenProviderError"].includes(error.name)) {
    return {
      code: EXIT.auth,
      problem: localProblem("credentials", "No AWS credentials", 401, error.message),
    };
  }
  // A 2xx answer that is not JSON: something other than Quota Guard answers at --url (a web page, a proxy).
  if (error instanceof SyntaxError) {
    return {
      code: EXIT.usage,
      problem: localProblem(
        "not-quota-guard",
        "Not Quota Guard",
        400,
        `the answer is not JSON (${error.message}): is --url (or QUOTA_GUARD_URL) the Quota Guard API?`,
      ),
    };
  }
  // Exit 70 is kept for what only a bug in the CLI can cause: every mistake a user can make is classified above.
  const detail = error instanceof Error ? error.message : String(error);
  return { code: EXIT.internal, problem: localProblem("internal", "quota-guard failed", 500, detail) };
}
