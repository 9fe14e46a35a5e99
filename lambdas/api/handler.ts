import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { SNSClient } from "@aws-sdk/client-sns";
import type { APIGatewayProxyEventV2, Context } from "aws-lambda";
import { DIMENSION, METRIC, METRICS_NAMESPACE, SERVICE_NAME } from "#config/observability";
import { SnsNotifier } from "#notify/sns-notifier";
import { AWS_CLIENT_SETTINGS, createAwsServices, logger, requiredEnv, TOPIC_ENV } from "#runtime/aws";
import { resolveHttpEvent } from "./resolve.ts";
import { createApiRouter } from "./routes.ts";

const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });
// The publisher serves only POST .../test-alert: the API's balance refreshes never alert (poll mode "refresh").
const services = createAwsServices({
  publisher: new SnsNotifier(new SNSClient(AWS_CLIENT_SETTINGS), requiredEnv(TOPIC_ENV)),
});
const router = createApiRouter(services, {
  checkDecided(decision) {
    const single = metrics.singleMetric();
    single.addDimension(DIMENSION.decision, decision);
    single.addMetric(METRIC.checks, MetricUnit.Count, 1);
    single.publishStoredMetrics();
  },
  unexpectedError(error) {
    logger.error("unexpected error in a route", { error });
  },
});

export const handler = (event: APIGatewayProxyEventV2, context: Context) =>
  resolveHttpEvent(router, event, context);
