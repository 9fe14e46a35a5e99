import { Match } from "aws-cdk-lib/assertions";
import { afterAll, describe, expect, it } from "vitest";
import { CHAT_GUARDRAIL_POLICY } from "#infra/chat-channels";
import { removeTempDirs, resourcesOf, single, statementsOfRole, synth } from "./synth.ts";

afterAll(removeTempDirs);

const SLACK = [
  { workspaceId: "T0123ABCD", channelId: "C0123ABCD" },
  { workspaceId: "T0123ABCD", channelId: "C0456EFGH" },
];
const TEAMS = [
  {
    teamId: "5e1a0f3c-8a4b-4c7d-9e2f-1b3c5d7e9f01",
    channelId: "19%3ab6ef35dc342d56ba5654e6fc6d25a071%40thread.tacv2",
    tenantId: "0f9e8d7c-6b5a-4f3e-8d2c-1b0a9f8e7d6c",
  },
];

const alertsTopicRef = (template: ReturnType<typeof synth>["template"]) => {
  const [id] = Object.entries(resourcesOf(template, "AWS::SNS::Topic")).find(
    ([, t]) => t.Properties.DisplayName === "HeyGen Quota Guard alerts",
  ) ?? [undefined];
  return { Ref: id };
};

describe("alerts in Slack and Microsoft Teams (Amazon Q Developer in chat applications)", () => {
  const { template } = synth({ config: { alerts: { chat: { slack: SLACK, teams: TEAMS } } } });

  it("creates one channel configuration per configured Slack and Teams channel, with its ids", () => {
    const slack = Object.values(resourcesOf(template, "AWS::Chatbot::SlackChannelConfiguration"));
    expect(slack.map((c) => [c.Properties.SlackWorkspaceId, c.Properties.SlackChannelId])).toEqual(
      SLACK.map((c) => [c.workspaceId, c.channelId]),
    );
    const teams = single(template, "AWS::Chatbot::MicrosoftTeamsChannelConfiguration");
    expect(teams.Properties).toMatchObject({
      TeamId: TEAMS[0]?.teamId,
      TeamsChannelId: TEAMS[0]?.channelId,
      TeamsTenantId: TEAMS[0]?.tenantId,
    });
    const names = [...slack, teams].map((c) => c.Properties.ConfigurationName as string);
    expect(new Set(names).size).toBe(3);
    for (const name of names) expect(name).toMatch(/^[A-Za-z0-9-_]{1,128}$/);
  });

  it("subscribes every channel to the alerts topic, and to nothing else", () => {
    for (const type of [
      "AWS::Chatbot::SlackChannelConfiguration",
      "AWS::Chatbot::MicrosoftTeamsChannelConfiguration",
    ]) {
      for (const config of Object.values(resourcesOf(template, type))) {
        expect(config.Properties.SnsTopicArns).toEqual([alertsTopicRef(template)]);
      }
    }
  });

  it("caps what chat members can do with the read-only guardrail, and needs no user role", () => {
    template.allResourcesProperties("AWS::Chatbot::SlackChannelConfiguration", {
      GuardrailPolicies: [
        {
          "Fn::Join": ["", ["arn:", { Ref: "AWS::Partition" }, `:iam::aws:policy/${CHAT_GUARDRAIL_POLICY}`]],
        },
      ],
      UserRoleRequired: false,
    });
    template.allResourcesProperties("AWS::Chatbot::MicrosoftTeamsChannelConfiguration", {
      GuardrailPolicies: [Match.objectLike({ "Fn::Join": Match.anyValue() })],
      UserRoleRequired: false,
    });
    expect(CHAT_GUARDRAIL_POLICY).toBe("ReadOnlyAccess");
  });

  it("gives the channel role no permissions at all: notifications need none", () => {
    const configs = [
      ...Object.values(resourcesOf(template, "AWS::Chatbot::SlackChannelConfiguration")),
      ...Object.values(resourcesOf(template, "AWS::Chatbot::MicrosoftTeamsChannelConfiguration")),
    ];
    const roleIds = new Set(
      configs.map((c) => (c.Properties.IamRoleArn as { "Fn::GetAtt": [string, string] })["Fn::GetAtt"][0]),
    );
    expect(roleIds.size).toBe(1);
    const [roleId] = [...roleIds] as [string];
    const role = template.toJSON().Resources[roleId];
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      expect.objectContaining({ Principal: { Service: "chatbot.amazonaws.com" }, Action: "sts:AssumeRole" }),
    ]);
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(statementsOfRole(template, roleId)).toEqual([]);
  });

  it("creates no chat resource when no channel is configured", () => {
    const plain = synth().template;
    plain.resourceCountIs("AWS::Chatbot::SlackChannelConfiguration", 0);
    plain.resourceCountIs("AWS::Chatbot::MicrosoftTeamsChannelConfiguration", 0);
    plain.resourcePropertiesCountIs(
      "AWS::IAM::Role",
      {
        AssumeRolePolicyDocument: Match.objectLike({
          Statement: [Match.objectLike({ Principal: { Service: "chatbot.amazonaws.com" } })],
        }),
      },
      0,
    );
  });

  it.each([
    [{ slack: [{ workspaceId: "t0123", channelId: "C1" }] }, "alerts.chat.slack.0.workspaceId"],
    [{ slack: [{ workspaceId: "T0123", channelId: "#alerts" }] }, "alerts.chat.slack.0.channelId"],
    [{ teams: [{ ...TEAMS[0], channelId: "General" }] }, "alerts.chat.teams.0.channelId"],
    [{ teams: [{ ...TEAMS[0], tenantId: "contoso" }] }, "alerts.chat.teams.0.tenantId: must be a GUID"],
    [{ slack: [{ workspaceId: "T0123", channelId: "C1", webhook: "x" }] }, "alerts.chat.slack.0"],
  ])("refuses a bad chat channel at synth, naming the field: %j", (chat, message) => {
    expect(() => synth({ config: { alerts: { chat } } })).toThrow(message);
  });
});
