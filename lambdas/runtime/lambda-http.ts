import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { APIGatewayProxyEventV2, Context } from "aws-lambda";
import type { ApiObserver } from "#api/router";
import { serveApiRoutes } from "#api/served-api";
import { serveReportRoutes } from "#api/served-reports";
import { serveWebhookRoutes } from "#api/served-webhook";
import { DIMENSION, METRIC, METRICS_NAMESPACE, SERVICE_NAME } from "#config/observability";
import { awsAdapters, callTimings, logger } from "./aws.ts";
import { type HttpApi, wireHttpFunction } from "./http-wiring.ts";

/**
 * The HTTP Lambdas' entry points (the API, the webhook and the reports functions), each built once per container at module
 * scope by its handler file: the AWS adapters (runtime/aws.ts) put into the wiring the local stack uses too
 * (runtime/http-wiring.ts). Every log line of an invocation carries the Lambda context (function, request id,
 * cold start) and API Gateway's request id; the keys are cleared when the invocation ends, so none leaks into
 * the next. The invocation's HeyGen and DynamoDB call durations are published as metrics when it ends.
 */

export type HttpLambda = (event: APIGatewayProxyEventV2, context: Context) => Promise<unknown>;

function httpLambda(api: HttpApi): HttpLambda {
  return async (event, context) => {
    logger.addContext(context);
    logger.appendKeys({ apiRequestId: event.requestContext.requestId });
    try {
      return await api.handle(event, context);
    } finally {
      callTimings.publish();
      logger.resetKeys();
    }
  };
}

/** The HTTP API function: the `api` routes; publishes alerts (a refresh is a reading). */
export function createApiLambda(): HttpLambda {
  const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });
  const observer: ApiObserver = {
    checkDecided(decision) {
      const single = metrics.singleMetric();
      single.addDimension(DIMENSION.decision, decision);
      single.addMetric(METRIC.checks, MetricUnit.Count, 1);
      single.publishStoredMetrics();
    },
    unexpectedError(error, site) {
      logger.error("unexpected error in a route", { error, ...site });
    },
  };
  return httpLambda(wireHttpFunction(awsAdapters(), observer, [serveApiRoutes]));
}

/**
 * The webhook function: API Gateway sends it `POST` and `OPTIONS /v1/webhooks/heygen`, the secret's status and
 * `POST /v1/reservations/{id}/wait` only (infra/heygen-webhook.ts), with its own role (the webhook secret,
 * sending task results) and throttling. A credit failure's reading publishes its alerts here; each unsigned
 * delivery counts one `UnsignedWebhookDeliveries`.
 */
export function createWebhookLambda(): HttpLambda {
  const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });
  const observer: ApiObserver = {
    unexpectedError(error, site) {
      logger.error("unexpected error in the webhook route", { error, ...site });
    },
    unsignedDelivery() {
      const single = metrics.singleMetric();
      single.addMetric(METRIC.unsignedWebhookDeliveries, MetricUnit.Count, 1);
      single.publishStoredMetrics();
    },
  };
  return httpLambda(wireHttpFunction(awsAdapters({ webhook: true }), observer, [serveWebhookRoutes]));
}

/** The reports function: the `reports` routes, reading the spend ledger and the history (a role that reads, and audits denials). */
export function createReportsLambda(): HttpLambda {
  const observer: ApiObserver = {
    unexpectedError(error, site) {
      logger.error("unexpected error in a report route", { error, ...site });
    },
  };
  return httpLambda(wireHttpFunction(awsAdapters(), observer, [serveReportRoutes]));
}
