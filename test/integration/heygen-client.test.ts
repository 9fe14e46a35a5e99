import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { BalanceSnapshot } from "#core/balance";
import { HeyGenClient, type HeyGenClientOptions, HeyGenError } from "#heygen/client";
import {
  DEFAULT_SANDBOX_ACCOUNT,
  type FaultOptions,
  type HeyGenSandbox,
  type SandboxFault,
  startHeyGenSandbox,
} from "#local/heygen-sandbox";

/** A key that must never show up in an error; every request below is made with it. */
const KEY = "hg-marker-KEY-5d1e0b";
const V2_ONLY_KEY = "hg-legacy-only-key";

describe("HeyGenClient against the HeyGen sandbox over HTTP", () => {
  let sandbox: HeyGenSandbox;

  beforeAll(async () => {
    sandbox = await startHeyGenSandbox({
      accounts: [
        { apiKey: KEY, billingType: "wallet", currency: "usd", balance: 120 },
        {
          apiKey: V2_ONLY_KEY,
          billingType: "wallet",
          balance: 30,
          v3Enabled: false,
          pools: { plan_credit: 5 },
        },
      ],
    });
  });
  afterAll(async () => {
    await sandbox?.close();
  });
  afterEach(() => {
    sandbox.clearFaults();
    sandbox.resetCalls();
  });

  const client = (options: Partial<HeyGenClientOptions> = {}) =>
    new HeyGenClient({
      baseUrl: sandbox.url,
      apiKey: () => KEY,
      apiVersion: "auto",
      timeoutMs: 300,
      maxAttempts: 3,
      baseDelayMs: 1,
      maxDelayMs: 50,
      maxRetryAfterMs: 50,
      ...options,
    });

  type Outcome = { snapshot?: BalanceSnapshot; error?: HeyGenError; attempts: number; calls: number };

  /** Reads the balance under `fault`, then checks the sandbox still serves a healthy read. */
  async function outcomeUnder(
    fault: SandboxFault,
    faultOptions: FaultOptions = {},
    clientOptions: Partial<HeyGenClientOptions> = {},
  ): Promise<Outcome> {
    sandbox.setFault(KEY, fault, faultOptions);
    const heygen = client(clientOptions);
    const outcome: Outcome = await heygen.getBalance("acme").then(
      (snapshot) => ({ snapshot, attempts: heygen.lastAttempts, calls: 0 }),
      (error: unknown) => {
        expect(error).toBeInstanceOf(HeyGenError);
        return { error: error as HeyGenError, attempts: (error as HeyGenError).attempts, calls: 0 };
      },
    );
    outcome.calls = sandbox.calls().total;
    expect(outcome.attempts).toBe(outcome.calls);
    expect(outcome.error?.message ?? "").not.toContain(KEY);

    sandbox.clearFaults();
    await expect(client().getBalance("acme")).resolves.toMatchObject({ remaining: 120 });
    return outcome;
  }

  describe("reads", () => {
    it("a usd wallet from v3", async () => {
      const snapshot = await client().getBalance("acme");
      expect(snapshot).toMatchObject({ source: "v3", billingType: "wallet", unit: "usd", remaining: 120 });
      expect(sandbox.calls().byPath).toEqual({ "/v3/users/me": 1 });
    });

    it("a subscription with both pools and their reset time", async () => {
      const key = "hg-subscription-key";
      sandbox.setAccount({
        apiKey: key,
        billingType: "subscription",
        balance: 300,
        addOnCredits: 25,
        resetsAt: "2026-04-01T00:00:00Z",
        plan: "team",
      });
      const snapshot = await client({ apiKey: () => key }).getBalance("team");
      expect(snapshot).toMatchObject({
        billingType: "subscription",
        unit: "credits",
        remaining: 325,
        plan: "team",
      });
      expect(snapshot.pools.map((pool) => [pool.name, pool.remaining, pool.resetsAt])).toEqual([
        ["premium_credits", 300, "2026-04-01T00:00:00Z"],
        ["add_on_credits", 25, "2026-04-01T00:00:00Z"],
      ]);
    });

    it("a usage-based account with its spending cap", async () => {
      const key = "hg-usage-key";
      sandbox.setAccount({
        apiKey: key,
        billingType: "usage_based",
        balance: 75,
        spendingCapUsd: 100,
        spendingCurrentUsd: 12.5,
      });
      const snapshot = await client({ apiKey: () => key }).getBalance("metered");
      expect(snapshot).toMatchObject({ remaining: 75, spendingCapUsd: 100, spendingCurrentUsd: 12.5 });
    });

    it("v2 quota as credits: the sandbox sends × 60, the client divides by 60", async () => {
      const snapshot = await client({ apiVersion: "v2" }).getBalance("acme");
      expect(snapshot).toMatchObject({
        source: "v2",
        billingType: "legacy_quota",
        unit: "credits",
        remaining: 120,
      });
      expect(snapshot.pools).toEqual([{ name: "api", remaining: 120, unit: "credits" }]);
    });

    it("the balance after a spend", async () => {
      const key = "hg-spender-key";
      sandbox.setAccount({ ...DEFAULT_SANDBOX_ACCOUNT, apiKey: key });
      expect(sandbox.spend(key, 20.25)).toBe(99.75);
      await expect(client({ apiKey: () => key }).getBalance("acme")).resolves.toMatchObject({
        remaining: 99.75,
      });
    });
  });

  describe("auto version", () => {
    it("falls back to v2 when v3 answers 404 for the account", async () => {
      const heygen = client({ apiKey: () => V2_ONLY_KEY });
      const snapshot = await heygen.getBalance("legacy");
      expect(snapshot).toMatchObject({ source: "v2", remaining: 30 });
      expect(snapshot.pools.map((pool) => pool.name)).toEqual(["api"]);
      expect(snapshot.otherPools).toEqual([
        // Whole credits, and apart: this client guards the API wallet (field cases F8, G8).
        { name: "plan_credit", remaining: 5, unit: "credits", kind: "not_spent" },
      ]);
      expect(sandbox.calls().byPath).toEqual({ "/v3/users/me": 1, "/v2/user/remaining_quota": 1 });
      expect(heygen.lastAttempts).toBe(2);
    });

    it("falls back under the not_found_v3 fault", async () => {
      const outcome = await outcomeUnder("not_found_v3");
      expect(outcome.snapshot).toMatchObject({ source: "v2", remaining: 120 });
      expect(outcome.attempts).toBe(2);
    });

    it("does not fall back on an unknown key", async () => {
      const heygen = client({ apiKey: () => "hg-nobody-has-this-key" });
      await expect(heygen.getBalance("acme")).rejects.toMatchObject({
        code: "invalid_key",
        status: 401,
        attempts: 1,
      });
      expect(sandbox.calls().byPath).toEqual({ "/v3/users/me": 1 });
    });
  });

  describe("faults", () => {
    const finalErrors: Array<[SandboxFault, string, number]> = [
      ["unauthorized", "invalid_key", 1],
      ["insufficient_credit", "insufficient_credit", 1],
      ["forbidden", "forbidden", 1],
      ["rate_limited_no_retry_after", "rate_limited", 3],
      ["server_error", "unavailable", 3],
      ["bad_gateway", "unavailable", 3],
      ["unavailable", "unavailable", 3],
      ["gateway_timeout", "unavailable", 3],
      ["malformed_json", "bad_response", 1],
      ["wrong_shape", "bad_response", 1],
      ["nan_balance", "bad_response", 1],
      ["string_balance", "bad_response", 1],
      ["reset_mid_body", "network", 3],
    ];
    it.each(finalErrors)("%s ends in %s after %i request(s)", async (fault, code, attempts) => {
      const outcome = await outcomeUnder(fault);
      expect(outcome.error?.code).toBe(code);
      expect(outcome.attempts).toBe(attempts);
    });

    it.each(finalErrors)(
      "%s on the v2 endpoint ends in %s after %i request(s)",
      async (fault, code, attempts) => {
        const outcome = await outcomeUnder(fault, {}, { apiVersion: "v2" });
        expect(outcome.error?.code).toBe(code);
        expect(outcome.attempts).toBe(attempts);
      },
    );

    it("unauthorized on v2 arrives as HTTP 200 with an error envelope and is still invalid_key", async () => {
      const outcome = await outcomeUnder("unauthorized", {}, { apiVersion: "v2" });
      expect(outcome.error).toMatchObject({ code: "invalid_key", status: 200 });
    });

    it("rate_limited with a Retry-After longer than maxRetryAfterMs stops at once and reports the wait", async () => {
      const outcome = await outcomeUnder("rate_limited", { retryAfterSeconds: 30 });
      expect(outcome.error).toMatchObject({ code: "rate_limited", status: 429, retryAfterMs: 30_000 });
      expect(outcome.attempts).toBe(1);
    });

    it("F3 in the poller: a 429 with Retry-After 7 is waited out (up to HeyGen's CLI's 30 s), then read", async () => {
      sandbox.setRawReplies({
        apiKey: KEY,
        endpoint: "v3",
        replies: [
          {
            status: 429,
            headers: { "Retry-After": "7" },
            body: { error: { code: "rate_limit_exceeded", message: "Too many requests" } },
          },
          {
            status: 200,
            body: { data: { billing_type: "wallet", wallet: { currency: "usd", remaining_balance: 120 } } },
          },
        ],
      });
      const slept: number[] = [];
      const heygen = client({
        maxRetryAfterMs: 30_000,
        sleep: async (ms) => {
          slept.push(ms);
        },
      });
      try {
        await expect(heygen.getBalance("acme")).resolves.toMatchObject({ unit: "usd", remaining: 120 });
        expect(slept).toEqual([7000]);
        expect(heygen.lastAttempts).toBe(2);
      } finally {
        sandbox.clearRawReplies();
      }
    });

    it("rate_limited with a short Retry-After is waited out", async () => {
      const outcome = await outcomeUnder("rate_limited", { retryAfterSeconds: 0, times: 2 });
      expect(outcome.snapshot?.remaining).toBe(120);
      expect(outcome.attempts).toBe(3);
    });

    it("a transient 503 is retried to success", async () => {
      const outcome = await outcomeUnder("unavailable", { times: 1 });
      expect(outcome.snapshot?.remaining).toBe(120);
      expect(outcome.attempts).toBe(2);
    });

    it("a socket reset once mid-body is retried to success", async () => {
      const outcome = await outcomeUnder("reset_mid_body", { times: 1 });
      expect(outcome.snapshot?.remaining).toBe(120);
      expect(outcome.attempts).toBe(2);
    });

    it("slow answers past the timeout end in timeout after every attempt", async () => {
      const outcome = await outcomeUnder("slow", { delayMs: 5_000 }, { timeoutMs: 100 });
      expect(outcome.error?.code).toBe("timeout");
      expect(outcome.attempts).toBe(3);
    });

    it("empty_details on v2 gives a snapshot without pools", async () => {
      const outcome = await outcomeUnder("empty_details", {}, { apiVersion: "v2" });
      expect(outcome.snapshot).toMatchObject({ remaining: 120, pools: [] });
    });

    it("a fault for every key (*) reaches this key too", async () => {
      sandbox.setFault("*", "forbidden");
      await expect(client().getBalance("acme")).rejects.toMatchObject({ code: "forbidden" });
    });

    it("a refused connection is a network error after every attempt", async () => {
      const gone = await startHeyGenSandbox();
      await gone.close();
      const heygen = new HeyGenClient({
        baseUrl: gone.url,
        apiKey: () => KEY,
        apiVersion: "auto",
        baseDelayMs: 1,
        maxDelayMs: 10,
      });
      const error = await heygen.getBalance("acme").catch((e: unknown) => e as HeyGenError);
      expect(error).toMatchObject({ code: "network", attempts: 3 });
      expect((error as HeyGenError).message).not.toContain(KEY);
    });
  });

  describe("control API", () => {
    it("sets faults and reads state over HTTP, rejecting bad input by field", async () => {
      const post = (path: string, body: unknown) =>
        fetch(`${sandbox.url}${path}`, { method: "POST", body: JSON.stringify(body) });

      expect((await post("/_sandbox/faults", { apiKey: KEY, fault: "forbidden", times: 1 })).status).toBe(
        200,
      );
      await expect(client().getBalance("acme")).rejects.toMatchObject({ code: "forbidden" });
      await expect(client().getBalance("acme")).resolves.toMatchObject({ remaining: 120 });

      const bad = await post("/_sandbox/faults", { apiKey: KEY, fault: "meteor_strike" });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: string }).error).toContain("fault");

      const account = { apiKey: "hg-control-key", billingType: "wallet", balance: 30 };
      expect((await post("/_sandbox/accounts", account)).status).toBe(200);
      expect((await post("/_sandbox/spend", { apiKey: "hg-control-key", amount: 10 })).status).toBe(200);
      const state = (await (await fetch(`${sandbox.url}/_sandbox/state`)).json()) as {
        accounts: Array<{ apiKey: string; balance: number }>;
        calls: { total: number };
      };
      expect(state.accounts.find((a) => a.apiKey === "hg-control-key")?.balance).toBe(20);
      expect(state.calls.total).toBe(2);
    });

    it("raw-reply mode answers exactly the given status, headers and body, in order, the last one repeating", async () => {
      const post = (path: string, body: unknown) =>
        fetch(`${sandbox.url}${path}`, { method: "POST", body: JSON.stringify(body) });
      const replies = [
        { status: 503, headers: { "Retry-After": "0", "X-Trace": "abc" }, body: "<html>busy</html>" },
        {
          status: 200,
          body: { data: { billing_type: "wallet", wallet: { currency: "usd", remaining_balance: 7 } } },
        },
      ];
      expect((await post("/_sandbox/replies", { apiKey: KEY, endpoint: "v3", replies })).status).toBe(200);
      const first = await fetch(`${sandbox.url}/v3/users/me`, { headers: { "X-Api-Key": KEY } });
      expect(first.status).toBe(503);
      expect(first.headers.get("x-trace")).toBe("abc");
      expect(await first.text()).toBe("<html>busy</html>");
      for (let i = 0; i < 2; i++) {
        await expect(client().getBalance("acme")).resolves.toMatchObject({ remaining: 7 });
      }
      // Only that key and endpoint: v2 still answers from the simulated account.
      await expect(client({ apiVersion: "v2" }).getBalance("acme")).resolves.toMatchObject({
        remaining: 120,
      });

      const bad = await post("/_sandbox/replies", { apiKey: KEY, endpoint: "v4", replies: [] });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: string }).error).toMatch(/endpoint|replies/);
      await fetch(`${sandbox.url}/_sandbox/replies`, { method: "DELETE" });
      await expect(client().getBalance("acme")).resolves.toMatchObject({ remaining: 120 });
    });
  });
});
