/** The CLI's exit codes: stable, documented in the README ("Exit codes"); shell steps gate on them. */
export const EXIT = {
  /** ok, or allowed */
  ok: 0,
  /**
   * a "no": check denied (or unknown and denied), insufficient balance for a reserve, balance unknown, paused,
   * a budget's refusal, no free render slot
   */
  no: 1,
  /** usage or validation error (bad flags, a 4xx naming a field, unknown account or reservation) */
  usage: 2,
  /** authentication or authorization (no credentials, 401, 403) */
  auth: 3,
  /** unavailable or unreachable (429, 5xx, connection refused, timeout) */
  unavailable: 4,
  /** the CLI itself failed: a bug to report */
  internal: 70,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
