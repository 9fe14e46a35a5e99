import { Logger } from "@aws-lambda-powertools/logger";
import { getSecret } from "@aws-lambda-powertools/parameters/secrets";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { SERVICE_NAME } from "#config/observability";
import { apiKeyFromSecret } from "#config/secrets";
import type { AlertPublisher, Services, TaskResultSender } from "#service/services";
import { TABLE } from "#store/table";
import { loadRuntimeConfig } from "./config-source.ts";
import { createServices, DEFAULT_HEYGEN_BASE_URL } from "./create-services.ts";

/** Cached per container; a rotated key is picked up within this many seconds. */
const SECRET_MAX_AGE_SECONDS = 300;

/**
 * Fail fast rather than hang when DynamoDB or SNS does not answer: the SDK has no request timeout by default,
 * and a hung call would hold the API Lambda until its own timeout (a 5xx from API Gateway) instead of
 * answering 503 with Retry-After. Two attempts of at most ~3 s fit inside the API's 10 s timeout.
 */
export const AWS_CLIENT_SETTINGS = {
  maxAttempts: 2,
  requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000 },
};

/**
 * The longest `Retry-After` a reading waits out inside the API (whose Lambda times out after 10 s); a longer
 * one is stored as the account's `retryNotBefore`. The poller waits up to HeyGen's CLI's 30 s.
 */
export const API_MAX_RETRY_AFTER_MS = 3_000;

export const TOPIC_ENV = "TOPIC_ARN";
/** The name of the Secrets Manager secret holding HeyGen's webhook endpoint secret (webhook function only). */
export const WEBHOOK_SECRET_ENV = "WEBHOOK_SECRET_NAME";

export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set (the stack sets it)`);
  return value;
}

export const logger = new Logger({ serviceName: SERVICE_NAME });

/**
 * Services for a Lambda container, built once at module scope. HeyGen keys come from Secrets Manager by
 * name (cached), never from the environment; the shipped config holds secret names only.
 */
export function createAwsServices(
  options: {
    publisher?: AlertPublisher;
    heygenMaxRetryAfterMs?: number;
    webhookSecretName?: string;
    taskResults?: TaskResultSender;
  } = {},
): Services {
  const config = loadRuntimeConfig();
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient(AWS_CLIENT_SETTINGS), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return createServices({
    config,
    doc,
    tableName: requiredEnv(TABLE.nameEnv),
    heygenBaseUrl: process.env.HEYGEN_API_BASE_URL ?? DEFAULT_HEYGEN_BASE_URL,
    async apiKeyFor(account) {
      const value = await getSecret<string>(account.secretName, { maxAge: SECRET_MAX_AGE_SECONDS });
      return apiKeyFromSecret(value, account.secretName);
    },
    ...(options.publisher ? { publisher: options.publisher } : {}),
    ...(options.taskResults ? { taskResults: options.taskResults } : {}),
    ...(options.webhookSecretName
      ? {
          // Cached like the API keys: a rotated secret is picked up within SECRET_MAX_AGE_SECONDS.
          webhookSecret: async () =>
            (await getSecret<string>(options.webhookSecretName as string, {
              maxAge: SECRET_MAX_AGE_SECONDS,
            })) ?? undefined,
        }
      : {}),
    ...(options.heygenMaxRetryAfterMs ? { heygenMaxRetryAfterMs: options.heygenMaxRetryAfterMs } : {}),
    log: logger,
  });
}
