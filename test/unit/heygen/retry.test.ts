import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { HeyGenError } from "#heygen/errors";
import { backoffDelayMs, nextDelayMs, parseRetryAfterMs, type RetryPolicy, withRetries } from "#heygen/retry";

function policy(overrides: Partial<RetryPolicy> = {}): RetryPolicy & { slept: number[] } {
  const slept: number[] = [];
  return {
    maxAttempts: 3,
    baseDelayMs: 200,
    maxDelayMs: 5000,
    maxRetryAfterMs: 30_000,
    random: () => 0.999,
    sleep: async (ms) => {
      slept.push(ms);
    },
    ...overrides,
    slept,
  };
}

const status = (code: number, retryAfterMs?: number) =>
  new HeyGenError(code === 429 ? "rate_limited" : "unavailable", `HTTP ${code}`, {
    status: code,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  });

describe("backoffDelayMs", () => {
  it("doubles the ceiling per retry and scales it by the random draw (full jitter)", () => {
    const p = policy({ random: () => 0.5 });
    expect([1, 2, 3, 4].map((retry) => backoffDelayMs(retry, p))).toEqual([100, 200, 400, 800]);
    expect(backoffDelayMs(3, policy({ random: () => 0 }))).toBe(0);
  });

  it("never exceeds maxDelayMs nor goes below 0, whatever the retry number and draw", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 0, max: 60_000 }),
        (retry, draw, baseDelayMs, maxDelayMs) => {
          const delay = backoffDelayMs(retry, { baseDelayMs, maxDelayMs, random: () => draw });
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThanOrEqual(maxDelayMs);
        },
      ),
    );
  });
});

describe("nextDelayMs", () => {
  it("retries 429 and 500/502/503/504, timeouts and network errors", () => {
    for (const error of [
      status(429),
      status(500),
      status(502),
      status(503),
      status(504),
      new HeyGenError("timeout", "t"),
      new HeyGenError("network", "n"),
    ]) {
      expect(nextDelayMs(error, 1, policy())).toBeTypeOf("number");
    }
  });

  it("never retries other 4xx, other 5xx or unreadable bodies", () => {
    for (const [code, httpStatus] of [
      ["invalid_key", 401],
      ["insufficient_credit", 402],
      ["forbidden", 403],
      ["not_found", 404],
      ["bad_response", 400],
      ["unavailable", 501],
      ["bad_response", 200],
    ] as const) {
      expect(nextDelayMs(new HeyGenError(code, "x", { status: httpStatus }), 1, policy())).toBeUndefined();
    }
  });

  it("waits exactly what Retry-After asks up to maxRetryAfterMs (30 s, HeyGen's CLI's clamp), past maxDelayMs", () => {
    expect(nextDelayMs(status(429, 1500), 1, policy())).toBe(1500);
    expect(nextDelayMs(status(429, 7000), 1, policy())).toBe(7000);
    expect(nextDelayMs(status(429, 30_000), 1, policy())).toBe(30_000);
  });

  it("gives up instead of sleeping when Retry-After is longer than maxRetryAfterMs", () => {
    expect(nextDelayMs(status(429, 30_001), 1, policy())).toBeUndefined();
    expect(nextDelayMs(status(429, 5001), 1, policy({ maxRetryAfterMs: 3000 }))).toBeUndefined();
  });

  it("gives up once maxAttempts requests were made", () => {
    expect(nextDelayMs(status(503), 2, policy())).toBeTypeOf("number");
    expect(nextDelayMs(status(503), 3, policy())).toBeUndefined();
  });
});

describe("withRetries", () => {
  it("makes at most maxAttempts requests and sleeps the backoff in between", async () => {
    const p = policy({ maxAttempts: 4, random: () => 0.5 });
    let requests = 0;
    const failing = async () => {
      requests++;
      throw status(502);
    };
    await expect(withRetries(failing, p)).rejects.toMatchObject({ code: "unavailable" });
    expect(requests).toBe(4);
    expect(p.slept).toEqual([100, 200, 400]);
  });

  it("returns the first success", async () => {
    const p = policy();
    let requests = 0;
    const value = await withRetries(async () => {
      requests++;
      if (requests < 2) throw status(429, 0);
      return "ok";
    }, p);
    expect(value).toBe("ok");
    expect(requests).toBe(2);
    expect(p.slept).toEqual([0]);
  });

  it("does not retry errors that are not HeyGenErrors", async () => {
    let requests = 0;
    const buggy = async () => {
      requests++;
      throw new RangeError("bug");
    };
    await expect(withRetries(buggy, policy())).rejects.toBeInstanceOf(RangeError);
    expect(requests).toBe(1);
  });
});

describe("parseRetryAfterMs", () => {
  const now = new Date("2026-03-01T12:00:00Z");

  it("reads delta-seconds", () => {
    expect(parseRetryAfterMs("7", now)).toBe(7000);
    expect(parseRetryAfterMs(" 0 ", now)).toBe(0);
  });

  it("reads an HTTP date relative to now, never negative", () => {
    expect(parseRetryAfterMs("Sun, 01 Mar 2026 12:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfterMs("Sun, 01 Mar 2026 11:00:00 GMT", now)).toBe(0);
  });

  it("ignores an absent or unreadable header", () => {
    expect(parseRetryAfterMs(null, now)).toBeUndefined();
    expect(parseRetryAfterMs("", now)).toBeUndefined();
    expect(parseRetryAfterMs("soon", now)).toBeUndefined();
    expect(parseRetryAfterMs("-5", now)).toBeUndefined();
  });
});
