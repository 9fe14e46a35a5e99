import { CfnOutput, type RemovalPolicy, Stack, type StackProps } from "aws-cdk-lib";
import type { Construct } from "constructs";
import type { QuotaGuardConfig } from "#config/config";
import { GatedVideoJob } from "./gated-video-job.ts";
import { GatedVideoJobWithCallback } from "./gated-video-job-callback.ts";
import { QuotaGuard } from "./quota-guard.ts";

export interface QuotaGuardStackProps extends StackProps {
  readonly config: QuotaGuardConfig;
  /** Deploy the example state machines GatedVideoJob (docs/step-functions.md) and GatedVideoJobWithCallback. */
  readonly exampleStateMachine: boolean;
  readonly removalPolicy?: RemovalPolicy;
}

export class QuotaGuardStack extends Stack {
  readonly guard: QuotaGuard;
  readonly gatedVideoJob?: GatedVideoJob;
  readonly gatedVideoJobWithCallback?: GatedVideoJobWithCallback;

  constructor(scope: Construct, id: string, props: QuotaGuardStackProps) {
    super(scope, id, props);
    this.guard = new QuotaGuard(this, "QuotaGuard", {
      config: props.config,
      removalPolicy: props.removalPolicy,
    });
    if (props.exampleStateMachine) {
      this.gatedVideoJob = new GatedVideoJob(this, "GatedVideoJob", {
        api: this.guard.api,
        timeout: props.config.reservations.maxTtlSeconds,
        logs: this.guard.logs,
      });
      new CfnOutput(this, "StateMachineArn", { value: this.gatedVideoJob.stateMachine.stateMachineArn });
      this.gatedVideoJobWithCallback = new GatedVideoJobWithCallback(this, "GatedVideoJobWithCallback", {
        api: this.guard.api,
        webhook: this.guard.webhook,
        timeout: props.config.reservations.maxTtlSeconds,
        logs: this.guard.logs,
      });
      new CfnOutput(this, "CallbackStateMachineArn", {
        value: this.gatedVideoJobWithCallback.stateMachine.stateMachineArn,
      });
    }
    new CfnOutput(this, "ApiUrl", { value: this.guard.api.url });
    new CfnOutput(this, "TopicArn", { value: this.guard.alertsTopic.topicArn });
    new CfnOutput(this, "OpsTopicArn", { value: this.guard.opsTopic.topicArn });
    new CfnOutput(this, "TableName", { value: this.guard.table.tableName });
    new CfnOutput(this, "SecretNames", {
      description: "Put each account's HeyGen API key into these secrets (docs/deploy.md)",
      value: this.guard.secrets.secrets.map((s) => s.secretName).join(","),
    });
    new CfnOutput(this, "DeadLetterQueueUrl", { value: this.guard.deadLetterQueue.queueUrl });
    new CfnOutput(this, "DashboardName", { value: this.guard.monitoring.dashboard.dashboardName });
  }
}
