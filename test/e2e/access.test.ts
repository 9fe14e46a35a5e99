import { AwsClient } from "aws4fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOCAL_PRINCIPAL, type LocalSigV4Keys, localSigV4KeyRing } from "#local/sigv4";
import type { LocalStack } from "#local/stack";
import { call, get, PROBLEM_JSON, post, sandboxKeyOf, sandboxOf, testConfig } from "#test/support/e2e";
import { startTestStack } from "#test/support/local-stack";

/**
 * Who may spend (issue 21) through the local stack: an account's `access` rule refuses every other caller
 * with 403 forbidden naming the account, on reads and spends alike, and audits the denial; without a rule,
 * any caller may, as before. Unsigned, every request comes from LOCAL_PRINCIPAL; under LOCAL_SIGV4 each key
 * is its principal.
 */

const OTHER = "arn:aws:iam::111111111111:role/pipeline-*";
type Entry = { action: string; target: string; by: string; after?: unknown };

async function fund(stack: LocalStack, accountId: string, balance: number) {
  const apiKey = sandboxKeyOf(stack, accountId);
  sandboxOf(stack).setAccount({ apiKey, billingType: "wallet", currency: "credits", balance });
  await stack.pollNow(undefined, [accountId]);
}

describe("unsigned: every request is the local principal", () => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startTestStack({
      config: testConfig(
        [
          { id: "locked", access: { principals: [OTHER] } },
          { id: "mine", access: { principals: ["arn:aws:iam::000000000000:user/*"] } },
          { id: "free" },
        ],
        { checks: { maxBalanceAgeSeconds: 90 * 86400 } },
      ),
      env: {},
      pollIntervalSeconds: 0,
    });
    for (const id of ["locked", "mine", "free"]) await fund(stack, id, 100);
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it("a caller outside the rule gets 403 problem+json naming the account, on a read and a spend", async () => {
    const read = await get(stack, "/v1/accounts/locked");
    expect(read.status).toBe(403);
    expect(read.contentType).toContain(PROBLEM_JSON);
    expect(read.body).toMatchObject({
      type: expect.stringContaining("forbidden"),
      status: 403,
      account: "locked",
      principal: LOCAL_PRINCIPAL,
    });
    const spend = await post(stack, "/v1/reservations", { accountId: "locked", amount: 5 });
    expect([spend.status, spend.body.account]).toEqual([403, "locked"]);
    const check = await post(stack, "/v1/checks", { accountId: "locked", durationSeconds: 120 });
    expect([check.status, check.body.account]).toEqual([403, "locked"]);
    expect((await get(stack, "/v1/reservations?accountId=locked")).status).toBe(403);
    expect((await post(stack, "/v1/accounts/locked/pause", { reason: "x" })).status).toBe(403);
    // The refused reserve held nothing.
    expect((await stack.services.store.getAccountState("locked"))?.openHolds ?? 0).toBe(0);
  });

  it("each denial is in the account's audit log with its principal and request", async () => {
    await get(stack, "/v1/accounts/locked/history");
    const entries = (await stack.services.store.listAudit("locked", { limit: 50 })).entries as Entry[];
    expect(entries[0]).toMatchObject({
      action: "access-denied",
      target: "account",
      by: LOCAL_PRINCIPAL,
      after: { method: "GET", path: "/v1/accounts/locked/history" },
    });
    expect(entries.filter((e) => e.action === "access-denied").length).toBeGreaterThanOrEqual(6);
    // Reading the log is itself refused, and audited.
    const audit = await get(stack, "/v1/accounts/locked/audit");
    expect([audit.status, audit.body.account]).toEqual([403, "locked"]);
  });

  it("an allowed caller reads and spends; a reservation's routes follow its account", async () => {
    expect((await get(stack, "/v1/accounts/mine")).status).toBe(200);
    const hold = await post<{ id: string }>(stack, "/v1/reservations", { accountId: "mine", amount: 5 });
    expect(hold.status).toBe(201);
    expect((await get(stack, `/v1/reservations/${hold.body.id}`)).status).toBe(200);
    expect((await post(stack, `/v1/reservations/${hold.body.id}/release`)).status).toBe(200);
  });

  it("GET /v1/accounts lists only the accounts the caller may use", async () => {
    const list = await get<{ accounts: { accountId: string }[] }>(stack, "/v1/accounts");
    expect(list.body.accounts.map((a) => a.accountId)).toEqual(["mine", "free"]);
  });

  it("without a rule, today's behaviour: any caller reads, reserves, sets a budget and reads the audit", async () => {
    expect((await get(stack, "/v1/accounts/free")).status).toBe(200);
    expect((await post(stack, "/v1/reservations", { accountId: "free", amount: 5 })).status).toBe(201);
    const put = await call(stack, "PUT", "/v1/accounts/free/budgets/team", {
      json: { limit: 10, period: "day" },
    });
    expect(put.status).toBe(201);
    const audit = await get<{ entries: Entry[] }>(stack, "/v1/accounts/free/audit");
    expect(audit.body.entries.map((e) => e.action)).toEqual(["budget-set"]);
  });

  it("a budget's principals refuse others naming the budget, and leave it out of their list", async () => {
    const mine = { limit: 10, period: "day" };
    const theirs = { limit: 10, period: "day", principals: [OTHER] };
    // Set by the local principal, which then leaves itself out.
    expect((await call(stack, "PUT", "/v1/accounts/free/budgets/ours", { json: mine })).status).toBe(201);
    expect((await call(stack, "PUT", "/v1/accounts/free/budgets/theirs", { json: theirs })).status).toBe(201);
    const read = await get(stack, "/v1/accounts/free/budgets/theirs");
    expect(read.status).toBe(403);
    expect(read.body).toMatchObject({ account: "free", budget: "theirs", principal: LOCAL_PRINCIPAL });
    expect((await call(stack, "DELETE", "/v1/accounts/free/budgets/theirs")).status).toBe(403);
    const list = await get<{ budgets: { id: string }[] }>(stack, "/v1/accounts/free/budgets");
    expect(list.body.budgets.map((b) => b.id)).toEqual(["ours", "team"]);
    const entries = (await get<{ entries: Entry[] }>(stack, "/v1/accounts/free/audit")).body.entries;
    expect(entries[0]).toMatchObject({
      action: "access-denied",
      target: "budget:theirs",
      by: LOCAL_PRINCIPAL,
    });
  });
});

describe("LOCAL_SIGV4: two keys, two principals", () => {
  const ALICE = "arn:aws:iam::000000000000:user/alice";
  const BOB = "arn:aws:iam::000000000000:user/bob";
  let stack: LocalStack;
  let ring: LocalSigV4Keys[];
  const as = (name: string) => {
    const keys = ring.find((k) => k.name === name) as LocalSigV4Keys;
    const client = new AwsClient({ ...keys, service: "execute-api", retries: 0 });
    return async (method: string, path: string, json?: unknown) => {
      const response = await client.fetch(`${stack.url}${path}`, {
        method,
        ...(json === undefined
          ? {}
          : { headers: { "content-type": "application/json" }, body: JSON.stringify(json) }),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
  };

  beforeAll(async () => {
    ring = localSigV4KeyRing([
      { name: "alice", arn: ALICE },
      { name: "bob", arn: BOB },
    ]);
    stack = await startTestStack({
      config: testConfig([{ id: "studio", access: { principals: [ALICE] } }], {
        checks: { maxBalanceAgeSeconds: 90 * 86400 },
      }),
      env: {},
      sigv4: ring,
      pollIntervalSeconds: 0,
    });
    await fund(stack, "studio", 100);
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it("only the allowed key's principal passes; the other gets 403 naming the account and is audited", async () => {
    const alice = as("alice");
    const bob = as("bob");
    expect((await alice("GET", "/v1/accounts/studio")).status).toBe(200);
    expect((await alice("POST", "/v1/reservations", { accountId: "studio", amount: 5 })).status).toBe(201);
    const refused = await bob("POST", "/v1/reservations", { accountId: "studio", amount: 5 });
    expect(refused).toMatchObject({ status: 403, body: { account: "studio", principal: BOB } });
    expect((await bob("GET", "/v1/accounts/studio")).status).toBe(403);
    const audit = await alice("GET", "/v1/accounts/studio/audit");
    expect((audit.body.entries as Entry[]).map((e) => `${e.action} ${e.by}`)).toEqual([
      `access-denied ${BOB}`,
      `access-denied ${BOB}`,
    ]);
    // Unsigned is still refused by the authorizer itself (API Gateway's 403 `{message}`), not the rule.
    expect((await fetch(`${stack.url}/v1/accounts/studio`)).status).toBe(403);
  });
});
