import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { APIGatewayProxyEventV2, Context, ScheduledEvent } from "aws-lambda";
import { DIMENSION, METRIC, METRICS_NAMESPACE, SERVICE_NAME } from "#config/observability";
import { reportPoll } from "#poller/report";
import { awsAdapters, logger } from "./aws.ts";
import { type HttpApi, wireHttpApi, wirePoller } from "./wiring.ts";

/**
 * The three Lambda entry points, each built once per container at module scope by its handler file
 * (lambdas/{api,poller,webhook}/handler.ts): the AWS adapters (runtime/aws.ts) put into the one wiring
 * (runtime/wiring.ts) that the local stack uses too. Every log line of an invocation carries the Lambda
 * context (function, request id, cold start) and, for HTTP, API Gateway's request id; the keys are cleared
 * when the invocation ends, so none leaks into the next.
 */

export type HttpLambda = (event: APIGatewayProxyEventV2, context: Context) => Promise<unknown>;
export type ScheduleLambda = (event: ScheduledEvent, context: Context) => Promise<void>;

function httpLambda(api: HttpApi): HttpLambda {
  return async (event, context) => {
    logger.addContext(context);
    logger.appendKeys({ apiRequestId: event.requestContext.requestId });
    try {
      return await api.handle(event, context);
    } finally {
      logger.resetKeys();
    }
  };
}

/** The HTTP API: every route but the webhook's two; publishes alerts (a refresh is a reading). */
export function createApiLambda(): HttpLambda {
  const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });
  return httpLambda(
    wireHttpApi(awsAdapters(), {
      checkDecided(decision) {
        const single = metrics.singleMetric();
        single.addDimension(DIMENSION.decision, decision);
        single.addMetric(METRIC.checks, MetricUnit.Count, 1);
        single.publishStoredMetrics();
      },
      unexpectedError(error) {
        logger.error("unexpected error in a route", { error });
      },
    }),
  );
}

/**
 * The webhook function: API Gateway sends it `POST /v1/webhooks/heygen` and `POST /v1/reservations/{id}/wait`
 * only (infra/heygen-webhook.ts), so it runs the same router as the API with its own role (the webhook
 * secret, sending task results) and throttling. A credit failure's reading publishes its alerts here.
 */
export function createWebhookLambda(): HttpLambda {
  return httpLambda(
    wireHttpApi(awsAdapters({ webhook: true }), {
      unexpectedError(error) {
        logger.error("unexpected error in the webhook route", { error });
      },
    }),
  );
}

/**
 * EventBridge schedule -> poll every account for this tick. The tick (`event.time`) makes a retried
 * invocation idempotent; a store failure is rethrown so EventBridge retries (and finally dead-letters) it.
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
      logger.resetKeys();
    }
  };
}
