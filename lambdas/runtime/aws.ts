import { Logger } from "@aws-lambda-powertools/logger";
import { SecretsProvider } from "@aws-lambda-powertools/parameters/secrets";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SFNClient } from "@aws-sdk/client-sfn";
import { SNSClient } from "@aws-sdk/client-sns";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { SERVICE_NAME } from "#config/observability";
import { apiKeyFromSecret } from "#config/secrets";
import { CallTimings } from "./call-timings.ts";
import { loadRuntimeConfig } from "./config-source.ts";
import { ENV, requiredEnv } from "./environment.ts";
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
 * each invocation's segment, and these metrics keep the dependencies' latency visible (docs/performance.md).
 */
export const callTimings = new CallTimings();

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
  const secrets = new SecretsProvider({
    awsSdkV3Client: new SecretsManagerClient(AWS_CLIENT_SETTINGS),
  });
  // Cached: a rotated secret is picked up within SECRET_MAX_AGE_SECONDS.
  const secret = (name: string) => secrets.get(name, { maxAge: SECRET_MAX_AGE_SECONDS });
  const webhookSecretName = options.webhook ? requiredEnv(ENV.webhookSecretName) : undefined;
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
      sns: new SNSClient(AWS_CLIENT_SETTINGS),
      topicArn: requiredEnv(ENV.topicArn),
    },
    ...(webhookSecretName
      ? {
          webhookSecret: async () => {
            const value = await secret(webhookSecretName);
            return typeof value === "string" ? value : undefined;
          },
          taskResults: new SfnTaskResults(new SFNClient(AWS_CLIENT_SETTINGS)),
        }
      : {}),
    log: logger,
  };
}
