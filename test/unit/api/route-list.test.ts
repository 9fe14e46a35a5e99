import type { APIGatewayProxyEventV2, Context } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { openApiDocument } from "#api/openapi";
import { PROBLEM_TYPES } from "#api/problem-types";
import { routedPath } from "#api/resolve";
import { ALL_ROUTES } from "#api/route-list";
import { createApiRouter } from "#api/routes";
import { parseConfig } from "#config/config";
import { createRateCardRegistry } from "#core/rate-card";
import { type Services, silentLog } from "#service/services";
import PROBLEM_EXPLANATIONS from "../../../lambdas/api/problem-explanations.json" with { type: "json" };

/** Every store call fails: these tests only ask whether a route exists, not what it answers. */
const unreachableStore = new Proxy(
  {},
  {
    get: () => () =>
      Promise.reject(Object.assign(new Error("store not wired in this test"), { name: "TestStore" })),
  },
) as Services["store"];

const services: Services = {
  config: parseConfig({}),
  store: unreachableStore,
  rateCards: createRateCardRegistry(),
  balanceSource: () => ({ getBalance: () => Promise.reject(new Error("no HeyGen in this test")) }),
  now: () => new Date("2026-11-24T00:00:00Z"),
  log: silentLog,
};

function event(method: string, path: string): APIGatewayProxyEventV2 {
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: path,
    rawQueryString: "",
    headers: { "content-type": "application/json" },
    requestContext: {
      accountId: "0",
      apiId: "test",
      domainName: "localhost",
      domainPrefix: "local",
      http: { method, path, protocol: "HTTP/1.1", sourceIp: "127.0.0.1", userAgent: "test" },
      requestId: "r",
      routeKey: "$default",
      stage: "$default",
      time: "",
      timeEpoch: 0,
    },
    body: method === "POST" ? "{}" : undefined,
    isBase64Encoded: false,
  } as APIGatewayProxyEventV2;
}

const concrete = (path: string) => path.replace("{id}", "default");

describe("the route list shared by the router, the OpenAPI document and the stack", () => {
  const router = createApiRouter(services);

  it.each(ALL_ROUTES.map((r) => [r.method, r.path]))(
    "%s %s is served by the router",
    async (method, path) => {
      const response = await router.resolve(event(method, concrete(path)), {} as Context);
      const body = JSON.parse(response.body || "{}") as { detail?: string };
      expect(response.statusCode).not.toBe(405);
      expect(body.detail ?? "").not.toMatch(/^No route for/);
    },
  );

  it("an unlisted route is a 404 problem", async () => {
    const response = await router.resolve(event("GET", "/v1/unlisted"), {} as Context);
    expect(response.statusCode).toBe(404);
    expect(response.headers?.["content-type"]).toBe("application/problem+json");
  });

  // Found by the API fuzz test: the router refuses a path parameter that decodes to blanks (%09) by throwing.
  it.each([
    ["GET", "/v1/reservations/%09"],
    ["POST", "/v1/reservations/%20/commit"],
    ["POST", "/v1/accounts/%09/test-alert"],
  ])("a blank path parameter is a 404 problem, never a 500: %s %s", async (method, path) => {
    const response = await router.resolve(event(method, path), {} as Context);
    expect(response.statusCode).toBe(404);
    expect(response.headers?.["content-type"]).toBe("application/problem+json");
  });

  it("the OpenAPI document describes exactly the listed routes", () => {
    const paths = openApiDocument().paths as Record<string, Record<string, unknown>>;
    const documented = Object.entries(paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const listed = ALL_ROUTES.map((r) => `${r.method} ${r.path}`);
    expect(documented.sort()).toEqual(listed.sort());
  });
});

describe("problem types are served where their type URIs point", () => {
  const router = createApiRouter(services);
  const answer = async (method: string, path: string) => {
    const response = await router.resolve(event(method, path), {} as Context);
    return {
      status: response.statusCode,
      body: JSON.parse(response.body ?? "{}") as Record<string, unknown>,
    };
  };

  it("a problem's type is <origin>/problems/<type>, and GET of that path explains it", async () => {
    const problem = await answer("GET", "/v1/unlisted");
    expect(problem.body.type).toBe("https://localhost/problems/not-found");
    expect(problem.body.instance).toBe("r");
    const explained = await answer("GET", new URL(String(problem.body.type)).pathname);
    expect(explained.status).toBe(200);
    expect(explained.body).toEqual({
      type: "not-found",
      ...PROBLEM_TYPES["not-found"],
      explanation: expect.stringContaining("No such route, account or reservation"),
    });
  });

  it("every problem type has an explanation in problem-explanations.json, and the file explains no other", () => {
    expect(Object.keys(PROBLEM_EXPLANATIONS).sort()).toEqual(Object.keys(PROBLEM_TYPES).sort());
  });

  it.each(Object.keys(PROBLEM_TYPES))(
    "GET /problems/%s answers its status, title and explanation",
    async (type) => {
      const { status, body } = await answer("GET", `/problems/${type}`);
      expect(status).toBe(200);
      expect(body).toMatchObject({ type, status: expect.any(Number), title: expect.any(String) });
      expect(String(body.explanation).length).toBeGreaterThan(20);
    },
  );

  it("an unknown problem type is a 404 problem naming it", async () => {
    const { status, body } = await answer("GET", "/problems/toString");
    expect(status).toBe(404);
    expect(body.errors).toEqual([{ pointer: "/path/type", detail: "unknown problem type" }]);
  });
});

describe("routing by the payload-2.0 route key (field case G9)", () => {
  it.each([
    ["POST /v1/webhooks/heygen", "/quota-guard/v1/webhooks/heygen", "/v1/webhooks/heygen"],
    ["GET /v1/reservations/{id}", "/prod/v1/reservations/rsv_a_1", "/v1/reservations/rsv_a_1"],
    ["GET /v1/health", "/a/b/v1/health", "/a/b/v1/health".slice(4)],
    ["GET /v1/health", "/v1/health", "/v1/health"],
    ["$default", "/quota-guard/v1/health", "/quota-guard/v1/health"],
    ["GET /v1/reservations/{id}", "/quota-guard/v1/accounts/x", "/quota-guard/v1/accounts/x"],
    ["GET /v1/reservations/{id}", "/quota-guard/v1/reservations/", "/quota-guard/v1/reservations/"],
    ["GET /{proxy+}", "/quota-guard/v1/health", "/quota-guard/v1/health"],
  ])("%s with rawPath %s is routed as %s", (routeKey, rawPath, routed) => {
    expect(routedPath({ routeKey, rawPath })).toBe(routed);
  });
});
