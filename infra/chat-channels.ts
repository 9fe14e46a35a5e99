import { Stack } from "aws-cdk-lib";
import { CfnMicrosoftTeamsChannelConfiguration, CfnSlackChannelConfiguration } from "aws-cdk-lib/aws-chatbot";
import { Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import type { ITopic } from "aws-cdk-lib/aws-sns";
import { Construct } from "constructs";
import type { AlertsConfig } from "#config/config";

/**
 * The most a chat member can do through a channel, whatever the channel role allows: read-only. The
 * channel role itself has no permissions at all, so nobody can act on AWS from the chat.
 */
export const CHAT_GUARDRAIL_POLICY = "ReadOnlyAccess";

/** Chatbot's own logs (CloudWatch, us-east-1): errors only, so a delivery that fails can be traced. */
const CHAT_LOGGING_LEVEL = "ERROR";

/** AWS::Chatbot configuration names: [A-Za-z0-9-_]{1,128}, unique in the account. */
function configurationName(stackName: string, kind: string, index: number): string {
  return `${stackName}-${kind}-${index}`.replace(/[^A-Za-z0-9-_]/g, "-").slice(0, 128);
}

/**
 * One Amazon Q Developer in chat applications channel configuration (formerly AWS Chatbot) per Slack and
 * Microsoft Teams channel of `alerts.chat`, each subscribed to the alerts topic. Alerts carry an `https`
 * text in the custom-notification format (lambdas/notify/chat-card.ts), which the service renders as a card.
 * Notifications need no permission of the channel role: SNS delivers them to the service.
 */
export class ChatChannels extends Construct {
  /** Absent when no chat channel is configured. */
  readonly role?: Role;
  readonly slack: CfnSlackChannelConfiguration[] = [];
  readonly teams: CfnMicrosoftTeamsChannelConfiguration[] = [];

  constructor(scope: Construct, id: string, props: { chat: AlertsConfig["chat"]; topic: ITopic }) {
    super(scope, id);
    const { slack, teams } = props.chat;
    if (slack.length === 0 && teams.length === 0) return;

    const role = new Role(this, "ChannelRole", {
      assumedBy: new ServicePrincipal("chatbot.amazonaws.com"),
      description: "Amazon Q Developer chat channels of HeyGen Quota Guard: notifications only, no actions",
    });
    this.role = role;
    const stack = Stack.of(this);
    const guardrailPolicies = [`arn:${stack.partition}:iam::aws:policy/${CHAT_GUARDRAIL_POLICY}`];
    const common = {
      iamRoleArn: role.roleArn,
      snsTopicArns: [props.topic.topicArn],
      guardrailPolicies,
      loggingLevel: CHAT_LOGGING_LEVEL,
      userRoleRequired: false,
    };

    slack.forEach((channel, index) => {
      this.slack.push(
        new CfnSlackChannelConfiguration(this, `Slack${index}`, {
          ...common,
          configurationName: configurationName(stack.stackName, "slack", index),
          slackWorkspaceId: channel.workspaceId,
          slackChannelId: channel.channelId,
        }),
      );
    });
    teams.forEach((channel, index) => {
      this.teams.push(
        new CfnMicrosoftTeamsChannelConfiguration(this, `Teams${index}`, {
          ...common,
          configurationName: configurationName(stack.stackName, "teams", index),
          teamId: channel.teamId,
          teamsChannelId: channel.channelId,
          teamsTenantId: channel.tenantId,
        }),
      );
    });
  }
}
