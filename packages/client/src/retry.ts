import { ServiceUnavailableError } from "./errors.ts";

/** How the client retries transient failures (429, 502, 503, 504, unreachable). */
export interface RetryPolicy {
  /** Attempts in all, the first included (default 4). 1 turns retries off. */
  attempts?: number;
  /** First back-off in ms, doubled per attempt, with full jitter (default 200). */
  baseDelayMs?: number;
  /** Cap of one back-off in ms (default 5,000). */
  maxDelayMs?: number;
  /** A `Retry-After` longer than this (seconds) is not waited for: the error is thrown at once (default 30). */
  maxRetryAfterSeconds?: number;
}

const DEFAULTS: Required<RetryPolicy> = {
  attempts: 4,
  baseDelayMs: 200,
  maxDelayMs: 5_000,
  maxRetryAfterSeconds: 30,
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `attempt` until it succeeds, throws something other than a ServiceUnavailableError, or the policy is
 * used up. Waits exponentially with full jitter, or `Retry-After` when the service gave one (as HeyGen's own
 * CLI does, bounded by `maxRetryAfterSeconds`). Only call it for requests that are safe to repeat: reads,
 * and writes that carry an idempotency key or end a hold.
 */
export async function withRetries<T>(attempt: () => Promise<T>, policy: RetryPolicy = {}): Promise<T> {
  const { attempts, baseDelayMs, maxDelayMs, maxRetryAfterSeconds } = { ...DEFAULTS, ...policy };
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof ServiceUnavailableError) || n >= attempts) throw error;
      if (error.retryAfter !== undefined && error.retryAfter > maxRetryAfterSeconds) throw error;
      const backoff = Math.random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (n - 1));
      await sleep(error.retryAfter !== undefined ? error.retryAfter * 1000 : backoff);
    }
  }
}
