import { describe, expect, it } from "vitest";
import { HeyGenClient, type HeyGenClientOptions, HeyGenError } from "#heygen/client";

/**
 * The client's decisions (which endpoint, when to retry, how long to wait, what to call a failure) tested
 * against a scripted fetch. The same client against the real sandbox over HTTP is in
 * test/integration/heygen-client.test.ts.
 */

const KEY = "marker-key-7f3a9c";
const NOW = new Date("2026-03-01T12:00:00.000Z");

type Step = Response | Error | ((signal: AbortSignal) => Promise<Response>);

function json(status: number, body: unknown, headers: Record<string, string> = {}) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

const wallet = (balance: number) =>
  json(200, {
    data: {
      billing_type: "wallet",
      wallet: { currency: "usd", remaining_balance: balance },
      subscription: null,
    },
  });
const quota = (q: number) => json(200, { error: null, data: { remaining_quota: q, details: { api: q } } });

function scripted(...steps: Step[]) {
  const requests: Array<{ url: string; headers: Headers; redirect?: RequestInit["redirect"] }> = [];
  const fetchFn = (async (input: string | URL | Request, init?: RequestInit) => {
    requests.push({ url: String(input), headers: new Headers(init?.headers), redirect: init?.redirect });
    const step = steps.shift();
    if (!step) throw new Error("script ran out of replies");
    if (step instanceof Error) throw step;
    return typeof step === "function" ? step(init?.signal as AbortSignal) : step;
  }) as typeof fetch;
  return { fetchFn, requests };
}

function clientWith(fetchFn: typeof fetch, options: Partial<HeyGenClientOptions> = {}) {
  const slept: number[] = [];
  const client = new HeyGenClient({
    baseUrl: "https://api.heygen.test",
    apiKey: () => KEY,
    apiVersion: "auto",
    fetch: fetchFn,
    sleep: async (ms) => {
      slept.push(ms);
    },
    random: () => 0.5,
    baseDelayMs: 100,
    maxDelayMs: 5000,
    now: () => NOW,
    ...options,
  });
  return { client, slept };
}

async function failure(promise: Promise<unknown>): Promise<HeyGenError> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(HeyGenError);
  return outcome as HeyGenError;
}

describe("HeyGenClient requests", () => {
  it("GETs /v3/users/me with the key in X-Api-Key, and stamps the snapshot with the injected clock", async () => {
    const { fetchFn, requests } = scripted(wallet(80));
    const { client } = clientWith(fetchFn);
    const snapshot = await client.getBalance("acme");
    expect(snapshot).toMatchObject({
      accountId: "acme",
      observedAt: NOW.toISOString(),
      remaining: 80,
      source: "v3",
    });
    expect(requests).toHaveLength(1);
    expect(requests[0]?.url).toBe("https://api.heygen.test/v3/users/me");
    expect(requests[0]?.headers.get("x-api-key")).toBe(KEY);
    expect(requests[0]?.redirect).toBe("manual");
    expect(client.lastAttempts).toBe(1);
  });

  it("keeps a base path in front of the endpoint path", async () => {
    const { fetchFn, requests } = scripted(quota(60));
    const { client } = clientWith(fetchFn, { baseUrl: "https://proxy.test/heygen/", apiVersion: "v2" });
    await client.getBalance("acme");
    expect(requests[0]?.url).toBe("https://proxy.test/heygen/v2/user/remaining_quota");
  });

  it("asks for the key on every call, so a rotated secret is used without a new client", async () => {
    const keys = ["old-key", "new-key"];
    const { fetchFn, requests } = scripted(wallet(1), wallet(2));
    const { client } = clientWith(fetchFn, { apiKey: async () => keys.shift() ?? "" });
    await client.getBalance("acme");
    await client.getBalance("acme");
    expect(requests.map((r) => r.headers.get("x-api-key"))).toEqual(["old-key", "new-key"]);
  });
});

describe("HeyGenClient retries", () => {
  it("waits what Retry-After (seconds) asks, then succeeds", async () => {
    const { fetchFn } = scripted(
      json(429, { error: { code: "rate_limit_exceeded" } }, { "Retry-After": "2" }),
      wallet(5),
    );
    const { client, slept } = clientWith(fetchFn);
    await expect(client.getBalance("acme")).resolves.toMatchObject({ remaining: 5 });
    expect(slept).toEqual([2000]);
    expect(client.lastAttempts).toBe(2);
  });

  it("reads Retry-After given as an HTTP date against the injected clock", async () => {
    const later = new Date(NOW.getTime() + 3000).toUTCString();
    const { fetchFn } = scripted(
      json(503, { error: { code: "unavailable" } }, { "Retry-After": later }),
      wallet(5),
    );
    const { client, slept } = clientWith(fetchFn);
    await client.getBalance("acme");
    expect(slept).toEqual([3000]);
  });

  it("stops at once with rate_limited and retryAfterMs when Retry-After exceeds maxDelayMs", async () => {
    const { fetchFn, requests } = scripted(
      json(429, { error: { code: "rate_limit_exceeded" } }, { "Retry-After": "60" }),
    );
    const { client, slept } = clientWith(fetchFn, { maxDelayMs: 5000 });
    const error = await failure(client.getBalance("acme"));
    expect(error).toMatchObject({ code: "rate_limited", status: 429, retryAfterMs: 60_000, attempts: 1 });
    expect(slept).toEqual([]);
    expect(requests).toHaveLength(1);
  });

  it("makes at most maxAttempts requests with jittered exponential backoff between them", async () => {
    const { fetchFn, requests } = scripted(
      json(502, {}),
      json(500, {}),
      json(504, {}),
      json(503, {}),
      json(503, {}),
    );
    const { client, slept } = clientWith(fetchFn, { maxAttempts: 4 });
    const error = await failure(client.getBalance("acme"));
    expect(error).toMatchObject({ code: "unavailable", status: 503, attempts: 4 });
    expect(requests).toHaveLength(4);
    // random() = 0.5 of min(5000, 100 * 2^(n-1)).
    expect(slept).toEqual([50, 100, 200]);
  });

  it("caps each backoff at maxDelayMs", async () => {
    const { fetchFn } = scripted(json(500, {}), json(500, {}), json(500, {}), json(500, {}), json(500, {}));
    const { client, slept } = clientWith(fetchFn, {
      maxAttempts: 5,
      baseDelayMs: 1000,
      maxDelayMs: 1500,
      random: () => 0.999,
    });
    await failure(client.getBalance("acme"));
    expect(slept.length).toBe(4);
    for (const ms of slept) expect(ms).toBeLessThanOrEqual(1500);
  });

  it.each([
    [401, { error: { code: "unauthorized" } }, "invalid_key"],
    [402, { error: { code: "insufficient_credit" } }, "insufficient_credit"],
    [403, { error: { code: "forbidden" } }, "forbidden"],
    [400, { error: { code: "invalid_parameter" } }, "bad_response"],
    [409, { error: { code: "conflict" } }, "bad_response"],
    [501, {}, "unavailable"],
  ])("does not retry HTTP %i (%j) and calls it %s", async (status, body, code) => {
    const { fetchFn, requests } = scripted(json(status, body), wallet(1));
    const { client, slept } = clientWith(fetchFn, { apiVersion: "v3" });
    const error = await failure(client.getBalance("acme"));
    expect(error).toMatchObject({ code, status, attempts: 1 });
    expect(requests).toHaveLength(1);
    expect(slept).toEqual([]);
  });

  it("retries connection failures as network errors", async () => {
    const refused = new TypeError("fetch failed", {
      cause: Object.assign(new Error("connect"), { code: "ECONNREFUSED" }),
    });
    const { fetchFn } = scripted(refused, refused, wallet(3));
    const { client } = clientWith(fetchFn);
    await expect(client.getBalance("acme")).resolves.toMatchObject({ remaining: 3 });
    expect(client.lastAttempts).toBe(3);
  });

  it("aborts a request that outlives timeoutMs and reports timeout after the last attempt", async () => {
    const hang = (signal: AbortSignal) =>
      new Promise<Response>((_resolve, reject) =>
        signal.addEventListener("abort", () => reject(signal.reason)),
      );
    const { fetchFn, requests } = scripted(hang, hang);
    const { client } = clientWith(fetchFn, { timeoutMs: 10, maxAttempts: 2 });
    const error = await failure(client.getBalance("acme"));
    expect(error).toMatchObject({ code: "timeout", attempts: 2 });
    expect(requests).toHaveLength(2);
  });

  it("does not retry a body that is not JSON", async () => {
    const { fetchFn, requests } = scripted(new Response('{"data": {', { status: 200 }), wallet(1));
    const { client } = clientWith(fetchFn);
    expect(await failure(client.getBalance("acme"))).toMatchObject({ code: "bad_response", attempts: 1 });
    expect(requests).toHaveLength(1);
  });

  it("calls a redirect a bad response instead of following it with the key", async () => {
    const { fetchFn } = scripted(
      new Response(null, { status: 302, headers: { location: "https://elsewhere.test/" } }),
    );
    const { client } = clientWith(fetchFn);
    expect(await failure(client.getBalance("acme"))).toMatchObject({ code: "bad_response", status: 302 });
  });
});

describe("HeyGenClient API versions", () => {
  it("auto falls back to v2 when v3 answers 404, and counts both requests", async () => {
    const { fetchFn, requests } = scripted(json(404, { error: { code: "not_found" } }), quota(3600));
    const { client } = clientWith(fetchFn, { apiVersion: "auto" });
    await expect(client.getBalance("acme")).resolves.toMatchObject({ source: "v2", remaining: 60 });
    expect(requests.map((r) => new URL(r.url).pathname)).toEqual([
      "/v3/users/me",
      "/v2/user/remaining_quota",
    ]);
    expect(client.lastAttempts).toBe(2);
  });

  it.each([
    [401, { error: { code: "unauthorized" } }],
    [403, { error: { code: "forbidden" } }],
    [200, { data: { nothing: true } }],
  ])("auto does not fall back on HTTP %i", async (status, body) => {
    const { fetchFn, requests } = scripted(json(status, body), quota(60));
    const { client } = clientWith(fetchFn, { apiVersion: "auto" });
    await failure(client.getBalance("acme"));
    expect(requests).toHaveLength(1);
  });

  it("auto does not fall back when v3 keeps failing with 5xx", async () => {
    const { fetchFn, requests } = scripted(json(500, {}), json(500, {}), json(500, {}), quota(60));
    const { client } = clientWith(fetchFn, { apiVersion: "auto" });
    expect(await failure(client.getBalance("acme"))).toMatchObject({ code: "unavailable", attempts: 3 });
    expect(requests.every((r) => r.url.endsWith("/v3/users/me"))).toBe(true);
  });

  it("apiVersion v3 reports not_found rather than trying v2", async () => {
    const { fetchFn, requests } = scripted(json(404, { error: { code: "not_found" } }), quota(60));
    const { client } = clientWith(fetchFn, { apiVersion: "v3" });
    expect(await failure(client.getBalance("acme"))).toMatchObject({ code: "not_found", status: 404 });
    expect(requests).toHaveLength(1);
  });

  it("treats a v2 error reported with HTTP 200 as that error", async () => {
    const { fetchFn } = scripted(
      json(200, { data: null, error: { code: 40009, message: "Invalid credentials" } }),
    );
    const { client } = clientWith(fetchFn, { apiVersion: "v2" });
    expect(await failure(client.getBalance("acme"))).toMatchObject({ code: "invalid_key", status: 200 });
  });

  it("treats a flat legacy error code with HTTP 200 as an error", async () => {
    const { fetchFn } = scripted(json(200, { code: 40009, message: "Invalid credentials" }));
    const { client } = clientWith(fetchFn, { apiVersion: "v2" });
    expect(await failure(client.getBalance("acme"))).toMatchObject({ code: "invalid_key" });
  });
});

describe("HeyGenClient and the API key", () => {
  it("never puts the key in an error message, even when HeyGen or the transport echoes it", async () => {
    const echoes: Step[] = [
      json(401, { error: { code: "unauthorized", message: `key ${KEY} is not valid` } }),
      json(200, { code: 40009, message: `bad ${KEY}` }),
      new TypeError(`failed for ${KEY}`),
    ];
    for (const step of echoes) {
      const { fetchFn } = scripted(step, step, step);
      const { client } = clientWith(fetchFn, { apiVersion: "v2" });
      const error = await failure(client.getBalance("acme"));
      expect(error.message).not.toContain(KEY);
      expect(JSON.stringify(error)).not.toContain(KEY);
      expect(String(error.stack)).not.toContain(KEY);
    }
  });

  it("refuses an empty key without calling HeyGen", async () => {
    const { fetchFn, requests } = scripted(wallet(1));
    const { client } = clientWith(fetchFn, { apiKey: () => "  " });
    expect(await failure(client.getBalance("acme"))).toMatchObject({ code: "invalid_key", attempts: 0 });
    expect(requests).toHaveLength(0);
  });
});

describe("HeyGenClient options", () => {
  it.each([
    [{ baseUrl: "api.heygen.com" }, "baseUrl"],
    [{ baseUrl: "ftp://api.heygen.com" }, "baseUrl"],
    [{ maxAttempts: 0 }, "maxAttempts"],
    [{ timeoutMs: -1 }, "timeoutMs"],
    [{ baseDelayMs: 1.5 }, "baseDelayMs"],
    [{ apiVersion: "v4" as "v3" }, "apiVersion"],
    [{ apiKey: "raw-string" as unknown as () => string }, "apiKey"],
  ])("rejects %j naming %s", (options, field) => {
    const { fetchFn } = scripted();
    expect(() => clientWith(fetchFn, options)).toThrow(new RegExp(`HeyGenClientOptions\\.${field}`));
  });
});

describe("which pool is read (spendPool, field case G8)", () => {
  const v3Wallet = (balance: number) =>
    json(200, {
      data: {
        billing_type: "wallet",
        wallet: { currency: "usd", remaining_balance: balance, auto_reload: { enabled: false } },
      },
    });
  const v2g8 = () =>
    json(200, { error: null, data: { remaining_quota: 63, details: { plan_credit: 1091 } } });

  it("plan_credit reads v2 only, even with apiVersion auto, and records whole plan credits", async () => {
    const { fetchFn, requests } = scripted(v2g8());
    const { client } = clientWith(fetchFn, { spendPool: "plan_credit" });
    const snapshot = await client.getBalance("g8");
    expect(snapshot).toMatchObject({
      source: "v2",
      unit: "credits",
      remaining: 1091,
      spendPool: "plan_credit",
    });
    expect(requests.map((r) => new URL(r.url).pathname)).toEqual(["/v2/user/remaining_quota"]);
  });

  it("refuses plan_credit with apiVersion v3 (v3 reports no plan credits)", () => {
    expect(() => clientWith(scripted().fetchFn, { apiVersion: "v3", spendPool: "plan_credit" })).toThrow(
      /spendPool/,
    );
  });

  it("a low v3 wallet of an account with no pool chosen asks v2 once and warns about its plan credits", async () => {
    const { fetchFn, requests } = scripted(v3Wallet(1.05), v2g8());
    const { client } = clientWith(fetchFn, { planCreditHintAtOrBelow: 50 });
    const snapshot = await client.getBalance("g8");
    expect(snapshot).toMatchObject({ source: "v3", unit: "usd", remaining: 1.05 });
    expect(snapshot.warnings).toEqual([
      expect.stringMatching(/^spendPool: .*1091 plan credits.*"plan_credit"/),
    ]);
    expect(requests.map((r) => new URL(r.url).pathname)).toEqual([
      "/v3/users/me",
      "/v2/user/remaining_quota",
    ]);
    expect(client.lastAttempts).toBe(2);
  });

  it("no hint above the threshold, with no hint asked for, or when v2 fails or shows no plan credits", async () => {
    const above = scripted(v3Wallet(80));
    expect(
      (await clientWith(above.fetchFn, { planCreditHintAtOrBelow: 50 }).client.getBalance("a")).warnings,
    ).toBeUndefined();
    expect(above.requests).toHaveLength(1);

    const unasked = scripted(v3Wallet(1.05));
    expect((await clientWith(unasked.fetchFn).client.getBalance("a")).warnings).toBeUndefined();
    expect(unasked.requests).toHaveLength(1);

    for (const v2 of [json(404, { code: 404, message: "retired" }), quota(63), new Error("socket hang up")]) {
      const failing = scripted(v3Wallet(1.05), v2);
      const snapshot = await clientWith(failing.fetchFn, { planCreditHintAtOrBelow: 50 }).client.getBalance(
        "a",
      );
      expect(snapshot).toMatchObject({ source: "v3", remaining: 1.05 });
      expect(snapshot.warnings).toBeUndefined();
      expect(failing.requests).toHaveLength(2); // one try, no retries
    }
  });
});
