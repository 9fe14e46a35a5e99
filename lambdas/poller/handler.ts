import { Metrics } from "@aws-lambda-powertools/metrics";
import { SNSClient } from "@aws-sdk/client-sns";
import type { ScheduledEvent } from "aws-lambda";
import { METRICS_NAMESPACE, SERVICE_NAME } from "#config/observability";
import { SnsNotifier } from "#notify/sns-notifier";
import { AWS_CLIENT_SETTINGS, createAwsServices, logger, requiredEnv, TOPIC_ENV } from "#runtime/aws";
import { pollAccounts } from "#service/poll-accounts";
import { reportPoll } from "./report.ts";

const services = createAwsServices({
  publisher: new SnsNotifier(new SNSClient(AWS_CLIENT_SETTINGS), requiredEnv(TOPIC_ENV)),
});
const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });

/**
 * EventBridge schedule -> poll every account for this tick. The tick (`event.time`) makes a retried
 * invocation idempotent; a store failure is rethrown so EventBridge retries (and finally dead-letters) it.
 */
export const handler = async (event: ScheduledEvent) => {
  const results = await pollAccounts(services, event.time);
  for (const result of results) reportPoll(metrics, result);
  const summary = results.map(({ accountId, status, error }) => ({ accountId, status, error: error?.code }));
  logger.info("poll finished", { tick: event.time, accounts: summary });
  if (results.some((r) => r.error?.code === "internal"))
    throw new Error("poll could not be recorded; retrying");
};
