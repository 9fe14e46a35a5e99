import { Logger } from "@aws-lambda-powertools/logger";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { SERVICE_NAME } from "#config/observability";
import { apiKeyFromSecret } from "#config/secrets";
import { CallTimings } from "./call-timings.ts";
import { loadRuntimeConfig } from "./config-source.ts";
import { ENV, requiredEnv } from "./environment.ts";
import { SecretCache } from "./secret-cache.ts";
import { SfnTaskResults } from "./sfn-task-results.ts";
import { type Adapters, DEFAULT_HEYGEN_BASE_URL } from "./wiring.ts";

/** Cached per container; a rotated key is picked up within this many seconds. */
const SECRET_MAX_AGE_SECONDS = 300;

/**
 * Fail fast rather than hang when DynamoDB or SNS does not answer: the SDK has no request timeout by default,
 * and a hung call would hold the API Lambda until its own timeout (a 5xx from API Gateway) instead of
 * answering 503 with Retry-After. Two attempts of at most ~3 s fit inside the API's 10 s timeout.
 */
const AWS_CLIENT_SETTINGS = {
  maxAttempts: 2,
  requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000 },
};

export const logger = new Logger({ serviceName: SERVICE_NAME });

/**
 * HeyGen and DynamoDB latency of the container's invocations, as EMF metrics (runtime/call-timings.ts); the
 * entry points publish them when an invocation ends. No X-Ray SDK: Lambda's active tracing (infra) records
 * each invocation's segment, and these metrics keep the dependencies' latency visible (docs/bundles-and-tracing.md).
 */
export const callTimings = new CallTimings();

/**
 * `make` run on the first call only (a failure is retried by the next call). The Secrets Manager, SNS, EventBridge
 * and Step Functions clients are made so, on first use: their SDK packages load then, not at import, which keeps
 * ~35 ms off each cold start that needs no key, alert or task result (docs/bundles-and-tracing.md). DynamoDB, which
 * every invocation uses, is made at import.
 */
function once<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () => {
    made ??= make().catch((error: unknown) => {
      made = undefined;
      throw error;
    });
    return made;
  };
}

/**
 * The adapters of a Lambda container, built once at module scope from the environment the stack sets
 * (runtime/environment.ts). HeyGen keys come from Secrets Manager by name (cached), never from the
 * environment; the shipped config holds secret names only. `webhook`: the webhook function's
 * extras (the webhook secret, sending Step Functions task results).
 */
export function awsAdapters(options: { webhook?: boolean } = {}): Adapters {
  const config = loadRuntimeConfig();
  const doc = DynamoDBDocumentClient.from(callTimings.timeDynamoDb(new DynamoDBClient(AWS_CLIENT_SETTINGS)), {
    marshallOptions: { removeUndefinedValues: true },
  });
  // Cached: a rotated secret is picked up within SECRET_MAX_AGE_SECONDS.
  const secrets = new SecretCache(
    once(
      async () =>
        new (await import("@aws-sdk/client-secrets-manager")).SecretsManagerClient(AWS_CLIENT_SETTINGS),
    ),
    SECRET_MAX_AGE_SECONDS,
  );
  const secret = (name: string) => secrets.get(name);
  const webhookSecretName = options.webhook ? requiredEnv(ENV.webhookSecretName) : undefined;
  const busName = process.env[ENV.eventBusName];
  return {
    config,
    doc,
    tableName: requiredEnv(ENV.tableName),
    heygenBaseUrl: process.env[ENV.heygenBaseUrl] ?? DEFAULT_HEYGEN_BASE_URL,
    heygenFetch: callTimings.timedFetch(),
    async apiKeyFor(account) {
      return apiKeyFromSecret(await secret(account.secretName), account.secretName);
    },
    alerts: {
      sns: once(async () => new (await import("@aws-sdk/client-sns")).SNSClient(AWS_CLIENT_SETTINGS)),
      topicArn: requiredEnv(ENV.topicArn),
    },
    ...(busName
      ? {
          eventBus: {
            client: once(
              async () =>
                new (await import("@aws-sdk/client-eventbridge")).EventBridgeClient(AWS_CLIENT_SETTINGS),
            ),
            busName,
          },
        }
      : {}),
    ...(webhookSecretName
      ? {
          webhookSecret: () => secret(webhookSecretName),
          taskResults: new SfnTaskResults(
            once(async () => new (await import("@aws-sdk/client-sfn")).SFNClient(AWS_CLIENT_SETTINGS)),
          ),
        }
      : {}),
    log: logger,
  };
}
