import type { RemovalPolicy } from "aws-cdk-lib";
import { LogGroup, type RetentionDays } from "aws-cdk-lib/aws-logs";
import type { Construct } from "constructs";

/** How long the stack's log groups keep events, and whether they outlive the stack. */
export interface LogSettings {
  readonly retention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

export function createLogGroup(scope: Construct, id: string, settings: LogSettings): LogGroup {
  return new LogGroup(scope, id, { retention: settings.retention, removalPolicy: settings.removalPolicy });
}
