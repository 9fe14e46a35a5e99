import { Metrics } from "@aws-lambda-powertools/metrics";
import type { Context, ScheduledEvent } from "aws-lambda";
import { METRICS_NAMESPACE, SERVICE_NAME } from "#config/observability";
import { reportPoll } from "#poller/report";
import { awsAdapters, callTimings, logger } from "./aws.ts";
import { wirePoller } from "./wiring.ts";

export type ScheduleLambda = (event: ScheduledEvent, context: Context) => Promise<void>;

/**
 * The poller's entry point, built once per container by lambdas/poller/handler.ts: the AWS adapters put into
 * the wiring the local stack uses too. EventBridge schedule -> poll every account for this tick. The tick
 * (`event.time`) makes a retried invocation idempotent; a store failure is rethrown so EventBridge retries (and finally dead-letters) it.
 * Every log line of an invocation carries the Lambda context and the tick, cleared when it ends; the
 * invocation's HeyGen and DynamoDB call durations are published as metrics when it ends.
 */
export function createPollerLambda(): ScheduleLambda {
  const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });
  const poller = wirePoller(awsAdapters());
  return async (event, context) => {
    logger.addContext(context);
    logger.appendKeys({ tick: event.time });
    try {
      const results = await poller.poll(event.time);
      for (const result of results) reportPoll(metrics, result);
      const summary = results.map(({ accountId, status, error }) => ({
        accountId,
        status,
        error: error?.code,
      }));
      logger.info("poll finished", { accounts: summary });
      if (results.some((r) => r.error?.code === "internal"))
        throw new Error("poll could not be recorded; retrying");
    } finally {
      callTimings.publish();
      logger.resetKeys();
    }
  };
}
