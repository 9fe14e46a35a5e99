import { SFNClient } from "@aws-sdk/client-sfn";
import { SNSClient } from "@aws-sdk/client-sns";
import type { APIGatewayProxyEventV2, Context } from "aws-lambda";
import { resolveHttpEvent } from "#api/resolve";
import { createApiRouter } from "#api/routes";
import { SnsNotifier } from "#notify/sns-notifier";
import {
  API_MAX_RETRY_AFTER_MS,
  AWS_CLIENT_SETTINGS,
  createAwsServices,
  logger,
  requiredEnv,
  TOPIC_ENV,
  WEBHOOK_SECRET_ENV,
} from "#runtime/aws";
import { SfnTaskResults } from "#runtime/sfn-task-results";

/**
 * The webhook function: API Gateway sends it `POST /v1/webhooks/heygen` and `POST /v1/reservations/{id}/wait`
 * only (infra/heygen-webhook.ts), so it runs the same router as the API with its own role (the webhook
 * secret, sending task results) and throttling.
 * A credit failure's reading publishes its alerts here (one reading path).
 */
const services = createAwsServices({
  publisher: new SnsNotifier(new SNSClient(AWS_CLIENT_SETTINGS), requiredEnv(TOPIC_ENV)),
  heygenMaxRetryAfterMs: API_MAX_RETRY_AFTER_MS,
  webhookSecretName: requiredEnv(WEBHOOK_SECRET_ENV),
  taskResults: new SfnTaskResults(new SFNClient(AWS_CLIENT_SETTINGS)),
});
const router = createApiRouter(services, {
  unexpectedError(error) {
    logger.error("unexpected error in the webhook route", { error });
  },
});

export const handler = (event: APIGatewayProxyEventV2, context: Context) =>
  resolveHttpEvent(router, event, context);
