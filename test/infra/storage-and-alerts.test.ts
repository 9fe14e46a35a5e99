import { afterAll, describe, expect, it } from "vitest";
import { severitiesAtLeast } from "#infra/alert-subscriptions";
import { ENV } from "#runtime/environment";
import { TABLE } from "#store/table";
import { removeTempDirs, resourcesOf, single, statementsOfFunction, synth } from "./synth.ts";

afterAll(removeTempDirs);

describe("table", () => {
  it("is on-demand with TTL, point-in-time recovery, encryption and the shared key design, retained by default", () => {
    const { template } = synth();
    const [table] = Object.values(resourcesOf(template, "AWS::DynamoDB::Table"));
    expect(table?.Properties).toMatchObject({
      BillingMode: "PAY_PER_REQUEST",
      TimeToLiveSpecification: { AttributeName: TABLE.timeToLiveAttribute, Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
      KeySchema: [
        { AttributeName: TABLE.partitionKey.name, KeyType: "HASH" },
        { AttributeName: TABLE.sortKey.name, KeyType: "RANGE" },
      ],
    });
    expect(table?.DeletionPolicy).toBe("Retain");
    expect(table?.UpdateReplacePolicy).toBe("Retain");
  });

  it("can be made destroyable for a dev stack with -c removalPolicy=destroy", () => {
    const { template } = synth({ context: { removalPolicy: "destroy" } });
    const [table] = Object.values(resourcesOf(template, "AWS::DynamoDB::Table"));
    expect(table?.DeletionPolicy).toBe("Delete");
    expect(table?.Properties?.DeletionProtectionEnabled).toBe(false);
  });
});

describe("alert subscriptions", () => {
  const alerts = (smsMinSeverity: string) => ({
    alerts: { emails: ["ops@example.com"], smsNumbers: ["+14155550100", "+442071838750"], smsMinSeverity },
  });

  it("orders severities info < warning < critical", () => {
    expect(severitiesAtLeast("info")).toEqual(["info", "warning", "critical"]);
    expect(severitiesAtLeast("warning")).toEqual(["warning", "critical"]);
    expect(severitiesAtLeast("critical")).toEqual(["critical"]);
  });

  it.each([
    ["critical", ["critical"]],
    ["warning", ["warning", "critical"]],
  ])(
    "texts SMS numbers only alerts of severity ≥ %s, filtered on the severity attribute",
    (minimum, allowed) => {
      const { template } = synth({ config: alerts(minimum) });
      const sms = Object.values(resourcesOf(template, "AWS::SNS::Subscription")).filter(
        (s) => s.Properties?.Protocol === "sms",
      );
      expect(sms.map((s) => s.Properties?.Endpoint).sort()).toEqual(["+14155550100", "+442071838750"]);
      for (const subscription of sms) {
        expect(subscription.Properties?.FilterPolicy).toEqual({ severity: allowed });
        expect(subscription.Properties?.FilterPolicyScope ?? "MessageAttributes").toBe("MessageAttributes");
      }
    },
  );

  it("emails every alert (no filter) and also sends alarms to the same address through the ops topic", () => {
    const { template } = synth({ config: alerts("critical") });
    const emails = Object.values(resourcesOf(template, "AWS::SNS::Subscription")).filter(
      (s) => s.Properties?.Protocol === "email",
    );
    expect(emails.map((s) => s.Properties?.Endpoint)).toEqual(["ops@example.com", "ops@example.com"]);
    const topicIds = Object.keys(resourcesOf(template, "AWS::SNS::Topic"));
    expect(emails.map((s) => (s.Properties.TopicArn as { Ref: string }).Ref).sort()).toEqual(topicIds.sort());
    for (const email of emails) expect(email.Properties?.FilterPolicy).toBeUndefined();
  });
});

describe("poll schedule", () => {
  const { template } = synth({ config: { schedule: "cron(0/10 * * * ? *)" } });
  const [rule] = Object.values(
    template.findResources("AWS::Events::Rule", {
      Properties: { ScheduleExpression: "cron(0/10 * * * ? *)" },
    }),
  );
  if (!rule) throw new Error("no poll schedule rule");
  const [queueId] = Object.keys(resourcesOf(template, "AWS::SQS::Queue"));
  const [pollerId] = Object.keys(
    template.findResources("AWS::Lambda::Function", {
      Properties: { Description: "HeyGen Quota Guard balance poller" },
    }),
  );

  it("runs the poller on the configured schedule, with bounded retries into the dead-letter queue", () => {
    expect(rule.Properties.ScheduleExpression).toBe("cron(0/10 * * * ? *)");
    const [target] = rule.Properties.Targets as Record<string, unknown>[];
    expect(target).toMatchObject({
      Arn: { "Fn::GetAtt": [pollerId, "Arn"] },
      DeadLetterConfig: { Arn: { "Fn::GetAtt": [queueId, "Arn"] } },
      RetryPolicy: { MaximumRetryAttempts: 2 },
    });
    expect(
      (target as { RetryPolicy: { MaximumEventAgeInSeconds: number } }).RetryPolicy.MaximumEventAgeInSeconds,
    ).toBeGreaterThan(0);
  });

  it("sends a poll that still fails after Lambda's retries to the same dead-letter queue", () => {
    const [invokeConfig] = Object.values(resourcesOf(template, "AWS::Lambda::EventInvokeConfig"));
    expect(invokeConfig?.Properties).toMatchObject({
      FunctionName: { Ref: pollerId },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { "Fn::GetAtt": [queueId, "Arn"] } } },
    });
  });

  it("lets only this rule put messages into the dead-letter queue", () => {
    const policy = single(template, "AWS::SQS::QueuePolicy");
    const allows = (
      policy.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }
    ).Statement.filter((s) => s.Effect === "Allow");
    expect(allows).toHaveLength(1);
    expect(allows[0]).toMatchObject({
      Principal: { Service: "events.amazonaws.com" },
      Action: "sqs:SendMessage",
      Condition: { ArnEquals: { "aws:SourceArn": { "Fn::GetAtt": [expect.any(String), "Arn"] } } },
    });
  });
});

describe("alerts on EventBridge", () => {
  const functions = ["HeyGen Quota Guard balance poller", "HeyGen Quota Guard HTTP API"];
  const putsOf = (template: ReturnType<typeof synth>["template"], description: string) =>
    statementsOfFunction(template, description).filter((s) => s.Action === "events:PutEvents");

  it("puts alerts on the default bus unless told, with an example rule matching them, off by default", () => {
    const { template } = synth({ config: {} });
    const rules = template.findResources("AWS::Events::Rule", {
      Properties: { EventPattern: { source: ["quota-guard"], "detail-type": ["Quota Guard Alert"] } },
    });
    const [example] = Object.values(rules);
    expect(Object.keys(rules)).toHaveLength(1);
    expect(example?.Properties).toMatchObject({ State: "DISABLED", EventBusName: "default" });
    expect(example?.Properties.Targets).toBeUndefined();
    for (const description of functions) {
      const [put] = putsOf(template, description);
      expect(JSON.stringify(put?.Resource)).toContain(":event-bus/default");
      const [fn] = Object.values(
        template.findResources("AWS::Lambda::Function", { Properties: { Description: description } }),
      );
      expect(fn?.Properties.Environment.Variables[ENV.eventBusName]).toBe("default");
    }
  });

  it("grants PutEvents on exactly the configured bus, and nothing with eventBridge off", () => {
    const named = synth({ config: { alerts: { eventBridge: { busName: "ops-alerts" } } } }).template;
    for (const description of functions) {
      const puts = putsOf(named, description);
      expect(puts).toHaveLength(1);
      expect(JSON.stringify(puts[0]?.Resource)).toMatch(/:event-bus\/ops-alerts"/);
    }
    const off = synth({ config: { alerts: { eventBridge: { enabled: false } } } }).template;
    expect(putsOf(off, functions[0] ?? "")).toEqual([]);
    expect(Object.keys(off.findResources("AWS::Events::Rule"))).toHaveLength(1);
  });
});
