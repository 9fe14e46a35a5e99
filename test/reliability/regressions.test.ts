import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
  APIGatewayProxyEventV2 as HttpEvent,
} from "aws-lambda";
import { describe, expect, it } from "vitest";
import { resolveHttpEvent } from "#api/resolve";
import { createApiRouter } from "#api/routes";
import { parseConfig } from "#config/config";
import { createDocumentClient, LOCAL_AWS } from "#local/dynamodb-local";
import { freePort } from "#local/free-port";
import { serveHttpApi } from "#local/http-adapter";
import { createServices } from "#runtime/wiring";
import { silentLog } from "#service/services";
import { rawRequest } from "#test/support/raw-http";

/** Defects the reliability suite found, each pinned by the smallest request that showed it. */

function router() {
  // These requests never reach DynamoDB or HeyGen; the clients point nowhere on purpose.
  const services = createServices({
    config: parseConfig({}),
    doc: createDocumentClient(new DynamoDBClient({ ...LOCAL_AWS, endpoint: "http://127.0.0.1:9" })),
    tableName: "unused",
    heygenBaseUrl: "http://127.0.0.1:9",
    apiKeyFor: () => "unused",
    log: silentLog,
  });
  return createApiRouter(services);
}

function event(method: string, path: string, body?: string): APIGatewayProxyEventV2 {
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: path,
    rawQueryString: "",
    headers: { host: "localhost", "content-type": "application/json" },
    requestContext: {
      accountId: "000000000000",
      apiId: "local",
      domainName: "localhost",
      domainPrefix: "local",
      http: { method, path, protocol: "HTTP/1.1", sourceIp: "127.0.0.1", userAgent: "" },
      requestId: "r",
      routeKey: "$default",
      stage: "$default",
      time: "",
      timeEpoch: 0,
    },
    ...(body === undefined ? {} : { body }),
    isBase64Encoded: false,
  };
}

const context = {} as Context;
const resolve = async (e: APIGatewayProxyEventV2) =>
  (await resolveHttpEvent(router(), e, context)) as APIGatewayProxyStructuredResultV2;

describe("regressions found by the reliability suite", () => {
  it("a GET with a body (API Gateway forwards it) is answered, not a thrown 5xx", async () => {
    const answer = await resolve(event("GET", "/v1/health", '{"x":1}'));
    expect(answer.statusCode).toBe(200);
    const head = await resolve(event("HEAD", "/v1/checks", "{}"));
    expect(head.statusCode).toBeLessThan(500);
  });

  it("a method the router does not know is a 405 problem+json, not a bare 405", async () => {
    const answer = await resolve(event("PROPFIND", "/v1/checks"));
    expect(answer.statusCode).toBe(405);
    expect(answer.headers?.["content-type"]).toBe("application/problem+json");
    expect(JSON.parse(answer.body ?? "{}")).toMatchObject({ status: 405, title: "Method not allowed" });
  });

  it("an id with broken percent-encoding (%ff) is a 400 problem, not a 500 from decoding the path", async () => {
    for (const path of ["/v1/reservations/%ff", "/v1/accounts/%E0%A4%A/history", "/v1/reservations/%"]) {
      const answer = await resolve(event("GET", path));
      expect(answer.statusCode).toBe(400);
      expect(answer.headers?.["content-type"]).toBe("application/problem+json");
      expect(JSON.parse(answer.body ?? "{}").errors).toEqual([
        { pointer: "/path", detail: "is not valid percent-encoding" },
      ]);
    }
  });

  it("the local adapter keeps a path that starts with // a path (it was parsed as a host: 502)", async () => {
    const seen: HttpEvent[] = [];
    const port = await freePort();
    const server = await serveHttpApi(
      async (received) => {
        seen.push(received);
        return { statusCode: 204 };
      },
      { port },
    );
    try {
      for (const path of ["//a%3Fb=c", "//evil.example/v1/health", "//"]) {
        const reply = await rawRequest(`http://127.0.0.1:${port}`, { method: "GET", path });
        expect(reply.status).toBe(204);
      }
      expect(seen.map((e) => e.rawPath)).toEqual(["//a%3Fb=c", "//evil.example/v1/health", "//"]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
