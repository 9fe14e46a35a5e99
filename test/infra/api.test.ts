import { Match } from "aws-cdk-lib/assertions";
import { afterAll, describe, expect, it } from "vitest";
import { actionsOf, removeTempDirs, resourcesOf, statementsOfFunction, synth } from "./synth.ts";

afterAll(removeTempDirs);

const WEBHOOK = "POST /v1/webhooks/heygen";
/** HeyGen's validation probe of the webhook URL (field case G5): no IAM, on the webhook's function. */
const PROBE = "OPTIONS /v1/webhooks/heygen";

/** The routes of docs/api.md, written out here so that a route dropped from infra is noticed. */
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
  "POST /v1/reservations/{id}/wait",
  "GET /v1/reservations",
  "GET /v1/accounts",
  "GET /v1/accounts/{id}",
  "GET /v1/accounts/{id}/history",
  "GET /v1/accounts/{id}/alerts",
  "GET /v1/accounts/{id}/events",
  "POST /v1/accounts/{id}/refresh",
  "POST /v1/accounts/{id}/test-alert",
  "POST /v1/accounts/{id}/pause",
  "GET /v1/accounts/{id}/audit",
  "POST /v1/accounts/{id}/resume",
  "GET /v1/accounts/{id}/budgets",
  "PUT /v1/accounts/{id}/budgets/{budgetId}",
  "GET /v1/accounts/{id}/budgets/{budgetId}",
  "DELETE /v1/accounts/{id}/budgets/{budgetId}",
  "POST /v1/accounts/{id}/budgets/{budgetId}/pause",
  "POST /v1/accounts/{id}/budgets/{budgetId}/resume",
  "GET /v1/accounts/{id}/spend",
  "GET /v1/webhooks/heygen/status",
  "GET /v1/accounts/{id}/reconciliation",
  "GET /v1/rate-cards/accuracy",
  "GET /openapi.json",
  "GET /problems/{type}",
];

describe("HTTP API", () => {
  const { template } = synth();
  const routes = Object.values(resourcesOf(template, "AWS::ApiGatewayV2::Route")).map(
    (r) => r.Properties ?? {},
  );

  it("has exactly the routes of docs/api.md and the HeyGen webhook with its OPTIONS probe, with no catch-all route", () => {
    expect(routes.map((r) => r.RouteKey).sort()).toEqual([...DESIGN_ROUTES, WEBHOOK, PROBE].sort());
  });

  it("requires IAM (SigV4) authorization on every route but HeyGen's webhook and its OPTIONS probe", () => {
    const unauthorised = routes.filter((r) => r.AuthorizationType !== "AWS_IAM").map((r) => r.RouteKey);
    expect(unauthorised.sort()).toEqual([PROBE, WEBHOOK].sort());
  });

  it("has the OPTIONS probe route without an authorizer, on the webhook's function, throttled like the webhook (G5)", () => {
    template.hasResourceProperties("AWS::ApiGatewayV2::Route", {
      RouteKey: PROBE,
      AuthorizationType: "NONE",
      Target: Match.anyValue(),
    });
    const targetOf = (key: string) => JSON.stringify(routes.find((r) => r.RouteKey === key)?.Target);
    expect(targetOf(PROBE)).toBe(targetOf(WEBHOOK));
    const [stage] = Object.values(resourcesOf(template, "AWS::ApiGatewayV2::Stage"));
    const settings = (stage?.Properties as { RouteSettings?: Record<string, unknown> } | undefined)
      ?.RouteSettings;
    expect(settings?.[PROBE]).toMatchObject({ ThrottlingRateLimit: expect.any(Number) });
    expect(settings?.[PROBE]).toEqual(settings?.[WEBHOOK]);
  });

  it("sends the webhook, its probe and /wait (which may send task results) to their own function; the webhook throttled on its own", () => {
    // The webhook secret's status too: only the webhook function may read that secret.
    const ownFunction = [WEBHOOK, PROBE, "POST /v1/reservations/{id}/wait", "GET /v1/webhooks/heygen/status"];
    const targetOf = (key: string) => JSON.stringify(routes.find((r) => r.RouteKey === key)?.Target);
    expect(targetOf(ownFunction[1] as string)).toBe(targetOf(WEBHOOK));
    expect(targetOf(ownFunction[3] as string)).toBe(targetOf(WEBHOOK));
    const others = routes.filter((r) => !ownFunction.includes(r.RouteKey as string));
    expect(others.every((r) => JSON.stringify(r.Target) !== targetOf(WEBHOOK))).toBe(true);
    const [stage] = Object.values(resourcesOf(template, "AWS::ApiGatewayV2::Stage"));
    const props = stage?.Properties as {
      DefaultRouteSettings: { ThrottlingRateLimit: number };
      RouteSettings: Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }>;
    };
    const own = props.RouteSettings[WEBHOOK];
    expect(own?.ThrottlingRateLimit).toBeGreaterThan(0);
    expect(own?.ThrottlingRateLimit).toBeLessThan(props.DefaultRouteSettings.ThrottlingRateLimit);
    expect(own?.ThrottlingBurstLimit).toBeGreaterThanOrEqual(own?.ThrottlingRateLimit ?? 0);
  });

  it("sends the reports to their own function, whose role reads the table and puts only (a denial's audit entry), with API Gateway's whole 29 s", () => {
    const reports = [
      "GET /v1/accounts/{id}/spend",
      "GET /v1/accounts/{id}/reconciliation",
      "GET /v1/rate-cards/accuracy",
    ];
    const targetOf = (key: string) => JSON.stringify(routes.find((r) => r.RouteKey === key)?.Target);
    const own = targetOf(reports[0] as string);
    expect(
      routes
        .filter((r) => JSON.stringify(r.Target) === own)
        .map((r) => r.RouteKey)
        .sort(),
    ).toEqual([...reports].sort());
    expect(own).not.toBe(targetOf("GET /v1/accounts/{id}/history"));
    const actions = actionsOf(statementsOfFunction(template, "HeyGen Quota Guard reports"));
    expect(actions.filter((a) => !a.startsWith("logs:") && !a.startsWith("xray:")).sort()).toEqual(
      ["dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"].sort(),
    );
    const [fn] = Object.values(resourcesOf(template, "AWS::Lambda::Function")).filter(
      (r) => r.Properties?.Description === "HeyGen Quota Guard reports",
    );
    expect(fn?.Properties?.Timeout).toBe(29);
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
    const designPaths = [...DESIGN_ROUTES, WEBHOOK, PROBE].map((route) => route.split(" ")[1]);
    expect(new Set(invokedPaths)).toEqual(new Set(designPaths));
  });
});
