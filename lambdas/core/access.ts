/**
 * Who may read and spend an account or a budget (issue 21): IAM principal ARN patterns, in which `*` matches
 * any run of characters (none included) and everything else matches itself. Pure.
 */

/**
 * True when `principal` (an IAM ARN as API Gateway's IAM authorizer gives it, `userArn`) matches one of
 * `patterns`. No rule (`patterns` undefined) allows everyone: that is the behaviour without access rules.
 * An empty list allows no one.
 */
export function principalAllowed(patterns: readonly string[] | undefined, principal: string): boolean {
  if (patterns === undefined) return true;
  return patterns.some((pattern) => patternRegExp(pattern).test(principal));
}

function patternRegExp(pattern: string): RegExp {
  const literal = pattern.split("*").map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(`^${literal.join(".*")}$`);
}
