import type { Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_BODY_BYTES } from "#api/schemas";
import { freePort } from "#local/free-port";
import { serveHttpApi } from "#local/http-adapter";
import type { LocalStack } from "#local/stack";
import { wireHttpApi } from "#runtime/http-wiring";
import {
  adaptersBeside,
  call,
  get,
  PROBLEM_JSON,
  pointersOf,
  post,
  sandboxKeyOf,
  sandboxOf,
  TestClock,
  testConfig,
} from "#test/support/e2e";
import { startTestStack } from "#test/support/local-stack";

/** Estimates and pre-generation checks through the local stack's HTTP API. */

const MAX_BALANCE_AGE_SECONDS = 900;
const ACCOUNTS = [
  { id: "usd", thresholds: { warning: 50, critical: 10 } },
  { id: "cred", thresholds: { warning: 20, critical: 5 } },
  // Its pool is chosen, so a low wallet reading is one request: an account that has not chosen also asks v2
  // whether plan credits sit beside it (field case G8), which would count twice in the refresh tests below.
  { id: "stale", spendPool: "api_wallet" },
  { id: "down" },
  { id: "never" },
];
const clock = new TestClock();
let stack: LocalStack;
/** The same stack's store and sandbox behind an API configured with `checks.whenUnknown: "allow"`. */
let lenient: { url: string; server: Server };

const keyOf = (id: string) => sandboxKeyOf(stack, id);
const sandbox = () => sandboxOf(stack);
const check = (body: unknown) => post(stack, "/v1/checks", body);
/** A fresh scheduled poll of every account. */
const pollAll = () => {
  clock.advance(1);
  return stack.pollNow(clock.tick());
};

async function startLenientApi(): Promise<{ url: string; server: Server }> {
  const config = { ...stack.config, checks: { ...stack.config.checks, whenUnknown: "allow" as const } };
  const api = wireHttpApi(adaptersBeside(stack, { config, now: clock.now }));
  const port = await freePort();
  const server = await serveHttpApi((event, context) => api.handle(event, context), { port });
  return { url: `http://127.0.0.1:${port}`, server };
}

beforeAll(async () => {
  stack = await startTestStack({
    config: testConfig(ACCOUNTS, { checks: { maxBalanceAgeSeconds: MAX_BALANCE_AGE_SECONDS } }),
    env: {},
    now: clock.now,
    pollIntervalSeconds: 0,
    heygenTimeoutMs: 500,
  });
  sandbox().setAccount({ apiKey: keyOf("usd"), billingType: "wallet", currency: "usd", balance: 100 });
  sandbox().setAccount({ apiKey: keyOf("cred"), billingType: "wallet", currency: "credits", balance: 100 });
  sandbox().setFault(keyOf("never"), "unauthorized");
  await pollAll();
  lenient = await startLenientApi();
}, 60_000);

afterAll(async () => {
  await new Promise((resolve) => lenient?.server.close(resolve));
  await stack?.stop();
});

describe("checks against recorded balances", () => {
  it("allows a job that fits a usd balance, priced on the usd card", async () => {
    const { status, body } = await check({ accountId: "usd", durationSeconds: 60 });
    expect(status).toBe(200);
    expect(body).toMatchObject({
      allowed: true,
      decision: "allow",
      accountId: "usd",
      unit: "usd",
      required: 3,
      remaining: 100,
      reserved: 0,
      available: 100,
      remainingAfter: 97,
      shortfall: 0,
      warnings: [],
      estimate: { rateCard: "heygen-payg-2026-05", unit: "usd", total: 3 },
    });
    expect(body.balanceAgeSeconds).toBe(0);
  });

  it("denies a job that does not fit, saying by how much", async () => {
    const { status, body } = await check({ accountId: "usd", durationSeconds: 2400 });
    expect(status).toBe(200);
    expect(body).toMatchObject({ allowed: false, decision: "deny", required: 120, shortfall: 20 });
  });

  it("allows and denies in credits on the credits card", async () => {
    const fits = await check({ accountId: "cred", jobs: [{ durationSeconds: 60, count: 2 }] });
    expect(fits.body).toMatchObject({
      allowed: true,
      unit: "credits",
      required: 12,
      available: 100,
      estimate: { rateCard: "heygen-api-credits-2025" },
    });
    const tooMuch = await check({ accountId: "cred", durationSeconds: 1200 });
    expect(tooMuch.body).toMatchObject({ allowed: false, decision: "deny", required: 120, shortfall: 20 });
  });

  it("warns when what is left after the job is below the warning threshold", async () => {
    const atThreshold = await check({ accountId: "usd", durationSeconds: 1000 });
    expect(atThreshold.body).toMatchObject({ allowed: true, remainingAfter: 50, warnings: [] });
    const below = await check({ accountId: "usd", durationSeconds: 1100 });
    expect(below.body).toMatchObject({ allowed: true, remainingAfter: 45 });
    expect(below.body.warnings).toEqual([expect.stringContaining("below the warning threshold")]);
  });

  it("refuses a card in another unit than the balance with 422 naming /rateCard", async () => {
    const { status, contentType, body } = await check({
      accountId: "usd",
      durationSeconds: 60,
      rateCard: "heygen-api-credits-2025",
    });
    expect(status).toBe(422);
    expect(contentType).toContain(PROBLEM_JSON);
    expect(pointersOf(body)).toEqual(["/rateCard"]);
  });

  it("refreshes a stale balance once for 20 concurrent checks", async () => {
    const key = keyOf("stale");
    sandbox().setBalance(key, 90);
    // Long enough for all 20 requests to arrive while the one refresh is in flight.
    sandbox().setLatency(300);
    clock.advance(MAX_BALANCE_AGE_SECONDS + 1);
    const before = sandbox().calls().byKey[key] ?? 0;
    try {
      const answers = await Promise.all(
        Array.from({ length: 20 }, () => check({ accountId: "stale", durationSeconds: 60 })),
      );
      expect(answers.map((a) => a.body.remaining)).toEqual(Array(20).fill(90));
      expect(answers.every((a) => a.body.decision === "allow")).toBe(true);
    } finally {
      sandbox().setLatency(0);
    }
    expect((sandbox().calls().byKey[key] ?? 0) - before).toBe(1);
  });

  it("a reservation on a balance gone stale refreshes it first, then holds against the fresh figure", async () => {
    const key = keyOf("stale");
    await check({ accountId: "stale", durationSeconds: 60 }); // the API now knows the balance's unit
    sandbox().setBalance(key, 7);
    clock.advance(MAX_BALANCE_AGE_SECONDS + 1);
    const before = sandbox().calls().byKey[key] ?? 0;
    const denied = await post(stack, "/v1/reservations", { accountId: "stale", amount: 8 });
    expect(denied.status).toBe(409);
    expect(denied.body).toMatchObject({ required: 8, available: 7, shortfall: 1 });
    expect((sandbox().calls().byKey[key] ?? 0) - before).toBe(1);
    const held = await post(stack, "/v1/reservations", { accountId: "stale", amount: 7 });
    expect(held.status).toBe(201);
    await post(stack, `/v1/reservations/${(held.body as { id: string }).id}/release`);
  });

  it("answers unknown when the balance is stale and HeyGen is down: denied by default, allowed on request", async () => {
    await pollAll();
    clock.advance(MAX_BALANCE_AGE_SECONDS + 1);
    sandbox().setFault(keyOf("down"), "server_error");
    try {
      const strict = await check({ accountId: "down", durationSeconds: 60 });
      expect(strict.status).toBe(200);
      expect(strict.body).toMatchObject({ allowed: false, decision: "unknown", remaining: 120 });
      expect(strict.body.reason).toContain("unknown");
      const allowing = await post(lenient, "/v1/checks", { accountId: "down", durationSeconds: 60 });
      expect(allowing.body).toMatchObject({ allowed: true, decision: "unknown" });
    } finally {
      sandbox().clearFaults();
    }
  });

  it("answers unknown for a balance never read", async () => {
    sandbox().setFault(keyOf("never"), "unauthorized");
    try {
      const strict = await check({ accountId: "never", durationSeconds: 60 });
      expect(strict.body).toMatchObject({ allowed: false, decision: "unknown", remaining: null });
      // Priced as the usd API wallet an API key spends, saying so: not in credits by the 2025 card, with
      // that card's age warning (issue 23, finding 7).
      expect(strict.body).toMatchObject({ unit: "usd", estimate: { rateCard: "heygen-payg-2026-05" } });
      const warnings = strict.body.warnings as string[];
      expect(warnings.join(" ")).toContain(
        'no balance of this account has been read yet, so its unit is unknown: priced by "heygen-payg-2026-05"',
      );
      expect(warnings.join(" ")).not.toContain("days ago");
      const allowing = await post(lenient, "/v1/checks", { accountId: "never", durationSeconds: 60 });
      expect(allowing.body).toMatchObject({ allowed: true, decision: "unknown", available: null });
    } finally {
      sandbox().clearFaults();
    }
  });
});

describe("rate cards, estimates and the OpenAPI document", () => {
  it("GET /v1/rate-cards lists the shipped cards with unit, source and items", async () => {
    const { status, body } = await get<{ rateCards: Record<string, unknown>[] }>(stack, "/v1/rate-cards");
    expect(status).toBe(200);
    expect(body.rateCards.map((c) => c.id)).toEqual(
      expect.arrayContaining([
        "heygen-payg-2026-05",
        "heygen-web-credits-2026-05",
        "heygen-payg-2026",
        "heygen-api-credits-2025",
        "heygen-skill-guide",
      ]),
    );
    for (const card of body.rateCards) {
      expect(card).toMatchObject({
        unit: expect.stringMatching(/^(usd|credits)$/),
        source: expect.anything(),
      });
      expect((card.items as unknown[]).length).toBeGreaterThan(0);
    }
  });

  it("POST /v1/estimates prices one job or a list, naming the card used", async () => {
    const one = await post(stack, "/v1/estimates", { durationSeconds: 90, resolution: "1080p" });
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ rateCard: "heygen-payg-2026-05", unit: "usd", total: 4.5 });

    const list = await post(stack, "/v1/estimates", {
      rateCard: "heygen-api-credits-2025",
      jobs: [{ durationSeconds: 90 }, { durationSeconds: 31, engine: "photo_avatar", count: 3 }],
    });
    expect(list.body).toMatchObject({ rateCard: "heygen-api-credits-2025", unit: "credits", total: 12 });
    expect((list.body.lines as { billableSeconds: number }[]).map((l) => l.billableSeconds)).toEqual([
      90, 60,
    ]);
  });

  it("GET /openapi.json is an OpenAPI 3.1 document covering every route, with request schemas", async () => {
    const { status, body } = await get<OpenApi>(stack, "/openapi.json");
    expect(status).toBe(200);
    expect(body.openapi).toMatch(/^3\.1\./);
    expect(body.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    expect(Object.keys(body.paths).sort()).toEqual([...DOCUMENTED_ROUTES].sort());
    for (const [path, item] of Object.entries(body.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        expect(Object.keys(operation.responses).length, `${method} ${path}`).toBeGreaterThan(0);
        if (path.includes("{id}")) {
          expect(operation.parameters?.some((p) => p.in === "path" && p.name === "id")).toBe(true);
        }
        const schema = operation.requestBody?.content["application/json"]?.schema;
        if (method === "post" && !path.endsWith("/refresh"))
          expect(schema, `${method} ${path}`).toBeDefined();
        for (const ref of refsIn(schema)) expect(resolve(body, ref), ref).toBeDefined();
      }
    }
  });

  it("documents what validation enforces: unknown fields are closed off, enums are the accepted values", async () => {
    const { body } = await get<OpenApi>(stack, "/openapi.json");
    const single = singleJobSchema(body, "CheckRequest");
    expect(single.additionalProperties).toBe(false);
    expect(Object.keys(single.properties)).not.toContain("colour");
    const rejected = await check({ accountId: "usd", durationSeconds: 60, colour: "red" });
    expect(pointersOf(rejected.body)).toEqual(["/colour"]);

    const resolutions = (single.properties.resolution as { enum: string[] }).enum;
    expect(resolutions.length).toBeGreaterThan(1);
    for (const resolution of resolutions) {
      const { status } = await post(stack, "/v1/estimates", { durationSeconds: 10, resolution });
      expect(status, resolution).toBe(200);
    }
    const notInSchema = await post(stack, "/v1/estimates", { durationSeconds: 10, resolution: "8k" });
    expect(pointersOf(notInSchema.body)).toEqual(["/resolution"]);
  });
});

describe("bad input: always a 4xx problem naming the field, never a 5xx", () => {
  const BIG = JSON.stringify({ accountId: "usd", script: "word ".repeat(MAX_BODY_BYTES / 4) });
  const JSON_TYPE = { "content-type": "application/json" };
  const CASES: {
    name: string;
    status: number;
    pointer?: string;
    body?: string;
    headers?: Record<string, string>;
  }[] = [
    { name: "malformed JSON", status: 400, pointer: "", body: '{"durationSeconds": ' },
    { name: "a JSON array", status: 400, body: "[1, 2]" },
    { name: "JSON null", status: 400, body: "null" },
    { name: "a missing body", status: 400, pointer: "/durationSeconds", headers: {} },
    { name: "wrong type", status: 400, pointer: "/durationSeconds", body: j({ durationSeconds: "sixty" }) },
    { name: "negative duration", status: 400, pointer: "/durationSeconds", body: j({ durationSeconds: -5 }) },
    {
      name: "NaN as a string",
      status: 400,
      pointer: "/durationSeconds",
      body: j({ durationSeconds: "NaN" }),
    },
    { name: "huge duration", status: 400, pointer: "/durationSeconds", body: j({ durationSeconds: 1e12 }) },
    {
      name: "non-integer count",
      status: 400,
      pointer: "/count",
      body: j({ durationSeconds: 6, count: 1.5 }),
    },
    { name: "negative count", status: 400, pointer: "/count", body: j({ durationSeconds: 6, count: -1 }) },
    { name: "huge count", status: 400, pointer: "/count", body: j({ durationSeconds: 6, count: 1e9 }) },
    { name: "empty jobs", status: 400, pointer: "/jobs", body: j({ jobs: [] }) },
    {
      name: "a bad job in a list",
      status: 400,
      pointer: "/jobs/1/durationSeconds",
      body: j({ jobs: [{ durationSeconds: 6 }, { durationSeconds: -1 }] }),
    },
    {
      name: "unknown field",
      status: 400,
      pointer: "/colour",
      body: j({ durationSeconds: 6, colour: "red" }),
    },
    {
      name: "unknown field in a job",
      status: 400,
      pointer: "/jobs/0/speed",
      body: j({ jobs: [{ durationSeconds: 6, speed: 2 }] }),
    },
    { name: "two durations", status: 400, pointer: "/script", body: j({ durationSeconds: 6, script: "hi" }) },
    {
      name: "unknown engine",
      status: 400,
      pointer: "/engine",
      body: j({ durationSeconds: 6, engine: "v9" }),
    },
    {
      name: "unknown card",
      status: 422,
      pointer: "/rateCard",
      body: j({ durationSeconds: 6, rateCard: "nope" }),
    },
    {
      name: "unknown account",
      status: 404,
      pointer: "/accountId",
      body: JSON.stringify({ accountId: "nobody", durationSeconds: 6 }),
    },
    {
      name: "malformed account id",
      status: 400,
      pointer: "/accountId",
      body: JSON.stringify({ accountId: "Not_An_Id", durationSeconds: 6 }),
    },
    { name: "oversized body", status: 413, body: BIG },
    {
      name: "wrong content type",
      status: 415,
      pointer: "/headers/content-type",
      body: j({ durationSeconds: 6 }),
      headers: { "content-type": "text/plain" },
    },
  ];

  it.each(CASES)("POST /v1/checks with $name → $status", async ({ status, pointer, body, headers }) => {
    const reply = await call(stack, "POST", "/v1/checks", {
      ...(body === undefined ? {} : { body }),
      headers: headers ?? JSON_TYPE,
    });
    expect(reply.status).toBe(status);
    expect(reply.contentType).toContain(PROBLEM_JSON);
    expect(reply.body).toMatchObject({ status, type: expect.any(String), title: expect.any(String) });
    if (pointer !== undefined) expect(pointersOf(reply.body)).toContain(pointer);
  });

  it.each([
    ["malformed JSON", "{", 400],
    ["wrong type", JSON.stringify({ durationSeconds: true }), 400],
    ["empty jobs", JSON.stringify({ jobs: [] }), 400],
  ])("POST /v1/estimates with %s → %i", async (_name, body, status) => {
    const reply = await call(stack, "POST", "/v1/estimates", { body, headers: JSON_TYPE });
    expect(reply.status).toBe(status);
    expect(reply.contentType).toContain(PROBLEM_JSON);
  });

  it("an unknown route is a 404 problem; a known path with another method is a 405 naming the allowed ones", async () => {
    const route = await get(stack, "/v1/nothing-here");
    expect(route.status).toBe(404);
    expect(route.contentType).toContain(PROBLEM_JSON);
    const method = await call(stack, "DELETE", "/v1/checks");
    expect(method.status).toBe(405);
    expect(method.contentType).toContain(PROBLEM_JSON);
    expect(method.headers.get("allow")).toBe("POST");
    // A path with a parameter: the route is matched by its template, and every method it has is allowed.
    const templated = await call(stack, "DELETE", "/v1/accounts/usd");
    expect(templated.status).toBe(405);
    expect(templated.headers.get("allow")).toBe("GET");
    expect((await call(stack, "GET", "/v1/reservations/rsv_usd_1/commit")).headers.get("allow")).toBe("POST");
  });
});

/** A check body for account `usd` with `fields`. */
function j(fields: Record<string, unknown>): string {
  return JSON.stringify({ accountId: "usd", ...fields });
}

const DOCUMENTED_ROUTES = [
  "/openapi.json",
  "/problems/{type}",
  "/v1/health",
  "/v1/rate-cards",
  "/v1/estimates",
  "/v1/checks",
  "/v1/reservations",
  "/v1/reservations/{id}",
  "/v1/reservations/{id}/commit",
  "/v1/reservations/{id}/extend",
  "/v1/reservations/{id}/release",
  "/v1/reservations/{id}/wait",
  "/v1/webhooks/heygen",
  "/v1/webhooks/heygen/status",
  "/v1/accounts",
  "/v1/accounts/{id}",
  "/v1/accounts/{id}/history",
  "/v1/accounts/{id}/alerts",
  "/v1/accounts/{id}/events",
  "/v1/accounts/{id}/refresh",
  "/v1/accounts/{id}/test-alert",
  "/v1/accounts/{id}/pause",
  "/v1/accounts/{id}/audit",
  "/v1/accounts/{id}/resume",
  "/v1/accounts/{id}/budgets",
  "/v1/accounts/{id}/budgets/{budgetId}",
  "/v1/accounts/{id}/budgets/{budgetId}/pause",
  "/v1/accounts/{id}/budgets/{budgetId}/resume",
  "/v1/accounts/{id}/reconciliation",
  "/v1/rate-cards/accuracy",
  "/v1/accounts/{id}/spend",
];

interface JsonSchema {
  $ref?: string;
  additionalProperties?: boolean;
  properties: Record<string, unknown>;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
}
interface Operation {
  parameters?: { in: string; name: string }[];
  requestBody?: { content: Record<string, { schema: JsonSchema } | undefined> };
  responses: Record<string, unknown>;
}
interface OpenApi {
  openapi: string;
  info: Record<string, unknown>;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, JsonSchema> };
}

function refsIn(schema: unknown): string[] {
  const text = JSON.stringify(schema ?? null);
  return [...text.matchAll(/"\$ref":"([^"]+)"/g)].map((m) => m[1] as string);
}

function resolve(doc: OpenApi, ref: string): unknown {
  return ref
    .replace(/^#\//, "")
    .split("/")
    .reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], doc);
}

/** The single-job form of a job request schema (the one without `jobs`). */
function singleJobSchema(doc: OpenApi, name: string): JsonSchema {
  const schema = doc.components.schemas[name] as JsonSchema;
  const options = schema.anyOf ?? schema.oneOf ?? [schema];
  const single = options.find((o) => !("jobs" in (o.properties ?? {})));
  if (!single) throw new Error(`${name} has no single-job form`);
  return single;
}
