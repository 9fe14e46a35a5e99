import { afterAll, describe, expect, it } from "vitest";
import { removeTempDirs, resourcesOf, synth } from "./synth.ts";

afterAll(removeTempDirs);

/** The routes of design §8, written out here so that a route dropped from infra is noticed. */
const DESIGN_ROUTES = [
  "GET /v1/health",
  "GET /v1/rate-cards",
  "POST /v1/estimates",
  "POST /v1/checks",
  "POST /v1/reservations",
  "GET /v1/reservations/{id}",
  "POST /v1/reservations/{id}/commit",
  "POST /v1/reservations/{id}/release",
  "POST /v1/reservations/{id}/extend",
  "GET /v1/reservations",
  "GET /v1/accounts",
  "GET /v1/accounts/{id}",
  "GET /v1/accounts/{id}/history",
  "GET /v1/accounts/{id}/alerts",
  "POST /v1/accounts/{id}/refresh",
  "POST /v1/accounts/{id}/test-alert",
  "GET /openapi.json",
];

describe("HTTP API", () => {
  const { template } = synth();
  const routes = Object.values(resourcesOf(template, "AWS::ApiGatewayV2::Route")).map(
    (r) => r.Properties ?? {},
  );

  it("has exactly the routes of design §8, with no catch-all route", () => {
    expect(routes.map((r) => r.RouteKey).sort()).toEqual([...DESIGN_ROUTES].sort());
  });

  it("requires IAM (SigV4) authorization on every route", () => {
    const unauthorised = routes.filter((r) => r.AuthorizationType !== "AWS_IAM").map((r) => r.RouteKey);
    expect(unauthorised).toEqual([]);
  });

  it("serves the $default stage with throttling and JSON access logs to a log group with retention", () => {
    const [stage] = Object.values(resourcesOf(template, "AWS::ApiGatewayV2::Stage"));
    const props = stage?.Properties as {
      StageName: string;
      DefaultRouteSettings: { ThrottlingRateLimit: number; ThrottlingBurstLimit: number };
      AccessLogSettings: { DestinationArn: { "Fn::GetAtt": [string, string] }; Format: string };
    };
    expect(props.StageName).toBe("$default");
    expect(props.DefaultRouteSettings.ThrottlingRateLimit).toBeGreaterThan(0);
    expect(props.DefaultRouteSettings.ThrottlingBurstLimit).toBeGreaterThanOrEqual(
      props.DefaultRouteSettings.ThrottlingRateLimit,
    );
    const logGroupId = props.AccessLogSettings.DestinationArn["Fn::GetAtt"][0];
    expect(template.toJSON().Resources[logGroupId].Properties.RetentionInDays).toBeGreaterThan(0);
    expect(JSON.parse(props.AccessLogSettings.Format)).toMatchObject({
      caller: "$context.identity.userArn",
      status: "$context.status",
    });
  });

  it("lets API Gateway invoke the handler only through the declared routes", () => {
    const permissions = Object.values(resourcesOf(template, "AWS::Lambda::Permission"))
      .map((p) => p.Properties ?? {})
      .filter((p) => p.Principal === "apigateway.amazonaws.com");
    const invokedPaths = permissions.map((p) => {
      const parts = (p.SourceArn as { "Fn::Join": [string, unknown[]] })["Fn::Join"][1];
      return String(parts.at(-1)).replace(/^\/\*\/\*/, "");
    });
    const designPaths = DESIGN_ROUTES.map((route) => route.split(" ")[1]);
    expect(new Set(invokedPaths)).toEqual(new Set(designPaths));
  });
});
