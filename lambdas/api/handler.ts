import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { APIGatewayProxyEventV2, Context } from "aws-lambda";
import { DIMENSION, METRIC, METRICS_NAMESPACE, SERVICE_NAME } from "#config/observability";
import { createAwsServices, logger } from "#runtime/aws";
import { resolveHttpEvent } from "./resolve.ts";
import { createApiRouter } from "./routes.ts";

const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });
const router = createApiRouter(createAwsServices(), {
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
