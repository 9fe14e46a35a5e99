/**
 * The poller's time settings, read by both the stack (the Lambda's timeout, infra/quota-guard.ts) and the
 * poll itself (service/poll-accounts.ts), so that the run's budget always ends inside the function's timeout.
 */

/** How one scheduled poll spreads over the accounts, so that no slow account holds the others up. */
export interface PollLimits {
  /** Accounts read at once. */
  concurrency: number;
  /** Longest wait for one account's HeyGen answer, in ms; past it the account's reading fails (`timeout`). */
  accountTimeoutMs: number;
  /** Time the whole run may take, in ms; accounts whose turn comes later are recorded as failed unasked. */
  runBudgetMs: number;
}

/** The poller Lambda's timeout, in seconds: the run budget plus room for cold start and the tail. */
export const POLLER_TIMEOUT_SECONDS = 180;

/**
 * A hanging HeyGen costs one read at most 15.6 s (the client's 3 requests × 5 s + backoff), so 500 accounts
 * take ⌈500 / 50⌉ = 10 rounds × 15.6 s = 156 s, inside the 160 s budget. One account may take up to 40 s: a
 * `Retry-After` up to HeyGen's CLI's 30 s is waited out (field case F3) with a request either side. Healthy,
 * 500 accounts take ~500 × 0.2 s / 50 = 2 s. Past the budget no account is asked any more, so the run ends
 * inside the Lambda's timeout whatever HeyGen does. Arithmetic in docs/design-notes.md.
 */
export const POLL_LIMITS: PollLimits = {
  concurrency: 50,
  accountTimeoutMs: 40_000,
  runBudgetMs: (POLLER_TIMEOUT_SECONDS - 20) * 1000,
};
