import { afterAll, describe, expect, it } from "vitest";
import { DIMENSION, METRIC, METRICS_NAMESPACE } from "#config/observability";
import { joinToText, removeTempDirs, resourcesOf, synth } from "./synth.ts";

afterAll(removeTempDirs);

describe("dashboard and alarms", () => {
  const { template } = synth({ config: { accounts: [{ id: "studio" }, { id: "agency" }] } });
  const resources = template.toJSON().Resources;
  const idOf = (type: string, description: string) =>
    Object.keys(template.findResources(type, { Properties: { Description: description } }))[0];
  const pollerId = idOf("AWS::Lambda::Function", "HeyGen Quota Guard balance poller");
  const [queueId] = Object.keys(resourcesOf(template, "AWS::SQS::Queue"));
  const [apiId] = Object.keys(resourcesOf(template, "AWS::ApiGatewayV2::Api"));
  const opsTopicId = Object.keys(
    template.findResources("AWS::SNS::Topic", {
      Properties: { DisplayName: "HeyGen Quota Guard operations" },
    }),
  )[0];

  const [dashboard] = Object.values(resourcesOf(template, "AWS::CloudWatch::Dashboard"));
  const body = JSON.parse(joinToText(dashboard?.Properties?.DashboardBody));
  const metrics: unknown[][] = body.widgets.flatMap(
    (w: { properties: { metrics?: unknown[][] } }) => w.properties.metrics ?? [],
  );
  const customMetric = (name: string) =>
    metrics.filter((m) => m[0] === METRICS_NAMESPACE && m[1] === name).map((m) => m.slice(2));

  it("graphs remaining balance, burn rate and hours to exhaustion for every configured account", () => {
    for (const name of [METRIC.remaining, METRIC.burnRatePerHour, METRIC.hoursToExhaustion]) {
      const accounts = customMetric(name).map((dims) => dims[dims.indexOf("AccountId") + 1]);
      expect(accounts.sort()).toEqual(["agency", "studio"]);
    }
  });

  it("graphs checks by decision and the API's p50 and p99 latency", () => {
    const decisions = customMetric(METRIC.checks).map((dims) => dims[dims.indexOf("Decision") + 1]);
    expect(decisions.sort()).toEqual(["allow", "deny", "unknown"]);
    const latency = metrics.filter((m) => m[0] === "AWS/ApiGateway" && m[1] === "Latency");
    const stats = latency.map((m) => (m.at(-1) as { stat: string }).stat);
    expect(stats.sort()).toEqual(["p50", "p99"]);
    for (const m of latency) expect(m).toContain(`<${apiId}>`);
  });

  const alarms = Object.values(resourcesOf(template, "AWS::CloudWatch::Alarm")).map(
    (a) => a.Properties ?? {},
  );
  const alarmOn = (metricName: string) => alarms.find((a) => a.MetricName === metricName);

  it("graphs HeyGen and DynamoDB call latency (p99) per operation and outcome, as the handlers emit it", () => {
    const searches = metrics
      .map((m) => (m.at(-1) as { expression?: string }).expression)
      .filter((e): e is string => e?.startsWith("SEARCH(") ?? false);
    for (const name of [METRIC.heygenCallDuration, METRIC.dynamoDbCallDuration]) {
      expect(searches).toContainEqual(
        `SEARCH('{${METRICS_NAMESPACE},service,${DIMENSION.operation},${DIMENSION.outcome}} MetricName="${name}"', 'p99', 300)`,
      );
    }
  });

  it("alarms on poller errors, any dead letter, and API 5xx", () => {
    expect(alarms).toHaveLength(3);
    expect(alarmOn("Errors")).toMatchObject({
      Namespace: "AWS/Lambda",
      Dimensions: [{ Name: "FunctionName", Value: { Ref: pollerId } }],
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
      Threshold: 1,
    });
    expect(alarmOn("ApproximateNumberOfMessagesVisible")).toMatchObject({
      Namespace: "AWS/SQS",
      Dimensions: [{ Name: "QueueName", Value: { "Fn::GetAtt": [queueId, "QueueName"] } }],
      ComparisonOperator: "GreaterThanThreshold",
      Threshold: 0,
    });
    expect(alarmOn("5xx")).toMatchObject({
      Namespace: "AWS/ApiGateway",
      Dimensions: [{ Name: "ApiId", Value: { Ref: apiId } }],
    });
  });

  it("notifies the ops topic when an alarm fires and when it clears", () => {
    for (const alarm of alarms) {
      expect(alarm.AlarmActions).toEqual([{ Ref: opsTopicId }]);
      expect(alarm.OKActions).toEqual([{ Ref: opsTopicId }]);
      expect(alarm.TreatMissingData).toBe("notBreaching");
    }
  });

  it("lets CloudWatch alarms of this account publish to the encrypted ops topic", () => {
    const topicPolicy = Object.values(resourcesOf(template, "AWS::SNS::TopicPolicy")).find((p) =>
      JSON.stringify(p.Properties?.Topics).includes(opsTopicId as string),
    );
    expect(JSON.stringify(topicPolicy?.Properties?.PolicyDocument)).toContain("cloudwatch.amazonaws.com");
    const keyId = (resources[opsTopicId as string].Properties.KmsMasterKeyId["Fn::GetAtt"] as string[])[0];
    const keyStatements = resources[keyId as string].Properties.KeyPolicy.Statement as Record<
      string,
      unknown
    >[];
    expect(keyStatements).toContainEqual(
      expect.objectContaining({
        Principal: { Service: "cloudwatch.amazonaws.com" },
        Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
      }),
    );
  });
});

describe("tracing", () => {
  const { template } = synth({ config: { accounts: [{ id: "studio" }] } });
  const functions = Object.values(resourcesOf(template, "AWS::Lambda::Function")).filter((f) =>
    String(f.Properties?.Description ?? "").startsWith("HeyGen Quota Guard"),
  );

  it("traces every Quota Guard function with Lambda's active tracing (no X-Ray SDK in the bundles)", () => {
    expect(functions.map((f) => f.Properties?.Description).sort()).toEqual([
      "HeyGen Quota Guard HTTP API",
      "HeyGen Quota Guard balance poller",
      "HeyGen Quota Guard reports",
      "HeyGen Quota Guard webhook receiver",
    ]);
    for (const f of functions) expect(f.Properties?.TracingConfig).toEqual({ Mode: "Active" });
  });
});
