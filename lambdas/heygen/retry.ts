import { HeyGenError } from "./errors.ts";

export interface RetryPolicy {
  /** Requests per endpoint, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  /** Longest backoff between two requests. */
  maxDelayMs: number;
  /** Longest `Retry-After` honoured; a longer one ends the call instead. */
  maxRetryAfterMs: number;
  sleep: (ms: number) => Promise<void>;
  /** In [0, 1); injected so that tests can pin the jitter. */
  random: () => number;
}

/** Exponential backoff with full jitter: uniform in [0, min(max, base * 2^(retry-1))). */
export function backoffDelayMs(
  retry: number,
  policy: Pick<RetryPolicy, "baseDelayMs" | "maxDelayMs" | "random">,
) {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.floor(policy.random() * ceiling);
}

/**
 * How long to wait before asking again after `error` on request number `attempt`, or `undefined` to give
 * up: the error is final, the attempts are spent, or HeyGen asked for a wait longer than we may sleep (a
 * Lambda that sleeps a minute costs more than a poll that is retried at the next tick).
 */
export function nextDelayMs(error: HeyGenError, attempt: number, policy: RetryPolicy): number | undefined {
  if (!error.retryable || attempt >= policy.maxAttempts) return undefined;
  if (error.retryAfterMs === undefined) return backoffDelayMs(attempt, policy);
  return error.retryAfterMs <= policy.maxRetryAfterMs ? error.retryAfterMs : undefined;
}

/** Runs `request` until it succeeds or `nextDelayMs` gives up; only HeyGenErrors are retried. */
export async function withRetries<T>(request: () => Promise<T>, policy: RetryPolicy): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await request();
    } catch (error) {
      const delay = error instanceof HeyGenError ? nextDelayMs(error, attempt, policy) : undefined;
      if (delay === undefined) throw error;
      await policy.sleep(delay);
    }
  }
}

/** `Retry-After` as delta-seconds or an HTTP date, in ms from `now`; undefined when absent or unreadable. */
export function parseRetryAfterMs(header: string | null, now: Date): number | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  // An HTTP date always names its day and month; anything else ("-5") is not one, however Date.parse reads it.
  const at = /[a-z]/i.test(value) ? Date.parse(value) : Number.NaN;
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}
