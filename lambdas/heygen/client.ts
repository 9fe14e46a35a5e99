import type { BalanceSnapshot } from "#core/balance";
import type { SpendPool } from "#core/spend-pool";
import * as z from "#core/zod";
import { dottedPath, issuesOf } from "#core/zod-issues";
import { HeyGenError, redact } from "./errors.ts";
import { getOnce } from "./http.ts";
import { type Observation, planCreditIn, snapshotFromV2, snapshotFromV3 } from "./normalise.ts";
import { bodyOrThrow } from "./reply.ts";
import { type RetryPolicy, withRetries } from "./retry.ts";

export { HeyGenError, type HeyGenErrorCode } from "./errors.ts";

export type HeyGenApiVersion = "v3" | "v2";

export interface HeyGenClientOptions {
  /** e.g. `https://api.heygen.com` or the sandbox's URL. */
  baseUrl: string;
  /** Called once per `getBalance`, so a rotated secret is picked up without a new client. */
  apiKey: () => Promise<string> | string;
  /** `auto`: v3, then v2 only when v3 answers 404 (docs/heygen-facts.md#api-versions-and-retirement). */
  apiVersion: "auto" | HeyGenApiVersion;
  /**
   * The pool the snapshot counts (lambdas/core/spend-pool.ts). `plan_credit` is read from v2
   * `details.plan_credit` (whole credits) whatever v3 would answer, so apiVersion must allow v2. Default
   * `api_wallet`.
   */
  spendPool?: SpendPool;
  /**
   * Set when the account has not chosen a pool: a v3 wallet reading at or below this amount (its own unit)
   * also asks v2 once, without retries, whether a plan-credit pool exists, and warns when it does (field case
   * G8: renders drew plan credits while the wallet was nearly empty). Only with apiVersion `auto`.
   */
  planCreditHintAtOrBelow?: number;
  /** Per request, headers and body included. Default 5000. */
  timeoutMs?: number;
  /** Per endpoint. Default 3. */
  maxAttempts?: number;
  /** Default 200. */
  baseDelayMs?: number;
  /** Longest backoff between two requests. Default 5000. */
  maxDelayMs?: number;
  /**
   * Longest `Retry-After` waited out inside one call; a longer one ends the call (`rate_limited` with
   * `retryAfterMs`, which the poll stores as the account's `retryNotBefore`). Default 30000, HeyGen's CLI's
   * clamp (heygen-cli internal/client/retry.go).
   */
  maxRetryAfterMs?: number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => Date;
}

/** The documented spelling (developers.heygen.com/reference/get-current-user); some pages write `/v3/user/me`. */
export const V3_USER_PATH = "/v3/users/me";
export const V2_QUOTA_PATH = "/v2/user/remaining_quota";

const ENDPOINTS: Record<HeyGenApiVersion, { path: string; normalise: typeof snapshotFromV2 }> = {
  v3: { path: V3_USER_PATH, normalise: snapshotFromV3 },
  v2: { path: V2_QUOTA_PATH, normalise: snapshotFromV2 },
};

const Numbers = z.object({
  timeoutMs: z._default(z.number().check(z.int()).check(z.positive()), 5000),
  maxAttempts: z._default(z.number().check(z.int()).check(z.gte(1)).check(z.lte(10)), 3),
  baseDelayMs: z._default(z.number().check(z.int()).check(z.nonnegative()), 200),
  maxDelayMs: z._default(z.number().check(z.int()).check(z.nonnegative()), 5000),
  maxRetryAfterMs: z._default(z.number().check(z.int()).check(z.nonnegative()), 30_000),
});

/** Reads an account's balance from HeyGen as a validated snapshot, or throws a typed HeyGenError. */
export class HeyGenClient {
  readonly #baseUrl: URL;
  readonly #apiKey: HeyGenClientOptions["apiKey"];
  readonly #versions: HeyGenApiVersion[];
  readonly #spendPool: SpendPool;
  readonly #hintAtOrBelow: number | undefined;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;
  readonly #now: () => Date;
  readonly #retry: RetryPolicy;
  #lastAttempts = 0;

  constructor(options: HeyGenClientOptions) {
    this.#baseUrl = parseBaseUrl(options.baseUrl);
    if (!["auto", "v3", "v2"].includes(options.apiVersion)) {
      throw new TypeError('HeyGenClientOptions.apiVersion: must be "auto", "v3" or "v2"');
    }
    if (typeof options.apiKey !== "function") {
      throw new TypeError(
        "HeyGenClientOptions.apiKey: must be a function returning the key (or a promise of it)",
      );
    }
    const numbers = parseNumbers(options);
    this.#apiKey = options.apiKey;
    this.#versions = options.apiVersion === "auto" ? ["v3", "v2"] : [options.apiVersion];
    this.#spendPool = options.spendPool ?? "api_wallet";
    if (this.#spendPool === "plan_credit" && options.apiVersion === "v3") {
      throw new TypeError(
        'HeyGenClientOptions.spendPool: plan_credit is read from v2; apiVersion must be "auto" or "v2"',
      );
    }
    this.#hintAtOrBelow = options.apiVersion === "auto" ? options.planCreditHintAtOrBelow : undefined;
    this.#timeoutMs = numbers.timeoutMs;
    this.#fetch = options.fetch ?? fetch;
    this.#now = options.now ?? (() => new Date());
    this.#retry = {
      maxAttempts: numbers.maxAttempts,
      baseDelayMs: numbers.baseDelayMs,
      maxDelayMs: numbers.maxDelayMs,
      maxRetryAfterMs: numbers.maxRetryAfterMs,
      sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
      random: options.random ?? Math.random,
    };
  }

  /**
   * HTTP requests made by the most recently finished `getBalance` (both endpoints, retries included), for
   * logs and metrics. A failed call carries the same number in `HeyGenError.attempts`.
   */
  get lastAttempts(): number {
    return this.#lastAttempts;
  }

  async getBalance(accountId: string): Promise<BalanceSnapshot> {
    const apiKey = (await this.#apiKey()).trim();
    const requests = { count: 0 };
    try {
      if (!apiKey) throw new HeyGenError("invalid_key", "The HeyGen API key is empty");
      return await this.#readFirstAvailable(accountId, apiKey, requests);
    } catch (error) {
      throw error instanceof HeyGenError ? error.finalise(requests.count, apiKey) : error;
    } finally {
      this.#lastAttempts = requests.count;
    }
  }

  /**
   * The duration in seconds HeyGen reports for a video (`GET /v3/videos/{video_id}` → `data.duration`,
   * developers.heygen.com/reference/get-video), or undefined when the video reports none. Throws HeyGenError.
   */
  async getVideoDuration(videoId: string): Promise<number | undefined> {
    const apiKey = (await this.#apiKey()).trim();
    const path = `/v3/videos/${encodeURIComponent(videoId)}`;
    const url = endpointUrl(this.#baseUrl, path);
    try {
      if (!apiKey) throw new HeyGenError("invalid_key", "The HeyGen API key is empty");
      const body = await withRetries(async () => {
        const reply = await getOnce(this.#fetch, url, apiKey, this.#timeoutMs);
        return bodyOrThrow({ ...reply, text: redact(reply.text, apiKey) }, path, this.#now());
      }, this.#retry);
      const duration = (body as { data?: { duration?: unknown } } | undefined)?.data?.duration;
      return typeof duration === "number" && Number.isFinite(duration) && duration > 0 ? duration : undefined;
    } catch (error) {
      throw error instanceof HeyGenError ? error.finalise(1, apiKey) : error;
    }
  }

  async #readFirstAvailable(accountId: string, apiKey: string, requests: { count: number }) {
    // v3 has no plan credits at all (G8), so a plan-credit account is read from v2 even when v3 answers.
    if (this.#spendPool === "plan_credit") return this.#read("v2", accountId, apiKey, requests);
    const [first, ...fallbacks] = this.#versions as [HeyGenApiVersion, ...HeyGenApiVersion[]];
    try {
      const snapshot = await this.#read(first, accountId, apiKey, requests);
      return await this.#withPlanCreditHint(snapshot, apiKey, requests);
    } catch (error) {
      const fallback = fallbacks[0];
      if (fallback && error instanceof HeyGenError && error.code === "not_found") {
        return this.#read(fallback, accountId, apiKey, requests);
      }
      throw error;
    }
  }

  /**
   * The v3 wallet reading, with a `spendPool:` warning when v2 reports plan credits beside a low wallet
   * (planCreditHintAtOrBelow). One request, no retries; any failure of it leaves the reading as it was.
   */
  async #withPlanCreditHint(snapshot: BalanceSnapshot, apiKey: string, requests: { count: number }) {
    const limit = this.#hintAtOrBelow;
    if (limit === undefined || snapshot.source !== "v3" || snapshot.billingType !== "wallet") return snapshot;
    if (snapshot.remaining > limit) return snapshot;
    let credits: number | undefined;
    try {
      requests.count++;
      const reply = await getOnce(
        this.#fetch,
        endpointUrl(this.#baseUrl, V2_QUOTA_PATH),
        apiKey,
        this.#timeoutMs,
      );
      credits = planCreditIn(
        bodyOrThrow({ ...reply, text: redact(reply.text, apiKey) }, V2_QUOTA_PATH, this.#now()),
      );
    } catch {
      return snapshot; // a hint, not a reading: v2 retired, throttled or down changes nothing
    }
    if (credits === undefined) return snapshot;
    const warning =
      `spendPool: v2 ${V2_QUOTA_PATH} reports ${credits} plan credits (data.details.plan_credit) beside this ` +
      `${snapshot.remaining} ${snapshot.unit} wallet; renders made with this key may draw on the plan credits ` +
      'instead (field case G8). Set the account\'s spendPool to "plan_credit" to guard that pool, or to ' +
      '"api_wallet" to keep guarding the wallet and silence this warning';
    return { ...snapshot, warnings: [...(snapshot.warnings ?? []), warning] };
  }

  async #read(version: HeyGenApiVersion, accountId: string, apiKey: string, requests: { count: number }) {
    const { path, normalise } = ENDPOINTS[version];
    const url = endpointUrl(this.#baseUrl, path);
    const body = await withRetries(async () => {
      requests.count++;
      const reply = await getOnce(this.#fetch, url, apiKey, this.#timeoutMs);
      // Blank an echoed key out of the body before anything quotes it: a message cut to length could
      // otherwise keep part of the key, which redacting the whole key later would not find.
      return bodyOrThrow({ ...reply, text: redact(reply.text, apiKey) }, path, this.#now());
    }, this.#retry);
    const observation: Observation = { accountId, observedAt: this.#now().toISOString() };
    return normalise(body, observation, this.#spendPool);
  }
}

function parseBaseUrl(baseUrl: string): URL {
  const url = URL.canParse(baseUrl) ? new URL(baseUrl) : undefined;
  if (!url || !["http:", "https:"].includes(url.protocol)) {
    throw new TypeError("HeyGenClientOptions.baseUrl: must be an absolute http(s) URL");
  }
  return url;
}

/** Keeps a base path (a proxy prefix such as `https://proxy/heygen`) in front of the endpoint path. */
function endpointUrl(baseUrl: URL, path: string): URL {
  const url = new URL(baseUrl);
  url.pathname = `${baseUrl.pathname.replace(/\/+$/, "")}${path}`;
  url.search = "";
  return url;
}

function parseNumbers(options: HeyGenClientOptions): z.infer<typeof Numbers> {
  const result = Numbers.safeParse(options);
  if (result.success) return result.data;
  const [issue] = issuesOf(result.error);
  throw new TypeError(`HeyGenClientOptions.${dottedPath(issue?.path ?? [])}: ${issue?.message}`);
}
