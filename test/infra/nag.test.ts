import { Validations } from "aws-cdk-lib";
import { Queue } from "aws-cdk-lib/aws-sqs";
import { AwsSolutionsChecks } from "cdk-nag";
import type { IConstruct } from "constructs";
import { afterAll, describe, expect, it } from "vitest";
import { buildApp, removeTempDirs } from "./synth.ts";

afterAll(removeTempDirs);

/** Everything the stack can deploy: example state machine, created and imported secrets, subscribers, chat. */
const FULL = {
  config: {
    accounts: [{ id: "default" }, { id: "agency", secretName: "shared/agency", importSecret: true }],
    alerts: {
      emails: ["ops@example.com"],
      smsNumbers: ["+14155550100"],
      chat: {
        slack: [{ workspaceId: "T0123ABCD", channelId: "C0123ABCD" }],
        teams: [
          {
            teamId: "5e1a0f3c-8a4b-4c7d-9e2f-1b3c5d7e9f01",
            channelId: "19%3ab6ef35dc342d56ba5654e6fc6d25a071%40thread.tacv2",
            tenantId: "0f9e8d7c-6b5a-4f3e-8d2c-1b0a9f8e7d6c",
          },
        ],
      },
    },
  },
  context: { exampleStateMachine: "true" },
};

function findings(scope: IConstruct) {
  return new AwsSolutionsChecks().validateScope(scope).violations.map((v) => ({
    rule: v.ruleName,
    severity: v.severity,
    at: v.violatingResources.map((r) => r.constructPath),
  }));
}

function acknowledgements(scope: IConstruct): [string, string][] {
  return scope.node
    .findAll()
    .flatMap((c) => c.node.metadata)
    .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((m) => Object.entries(m.data as Record<string, string>));
}

describe("cdk-nag AwsSolutions", () => {
  it.each([
    ["the default stack", {}],
    ["the full stack", FULL],
  ])("reports no error and no warning left unacknowledged for %s", (_, options) => {
    const { app } = buildApp(options);
    expect(findings(app)).toEqual([]);
    expect(() => app.synth()).not.toThrow();
  });

  it("still catches a finding (the check is live, not switched off)", () => {
    const { stack } = buildApp();
    new Queue(stack, "CarelessQueue");
    expect(findings(stack).map((f) => f.rule)).toEqual(
      expect.arrayContaining(["AwsSolutions-SQS3", "AwsSolutions-SQS4"]),
    );
  });

  it("gives every acknowledgement a written reason", () => {
    const { app } = buildApp(FULL);
    const acknowledged = acknowledgements(app);
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const [rule, reason] of acknowledged) {
      expect(reason.length, rule).toBeGreaterThan(40);
    }
  });
});
