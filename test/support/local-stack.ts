import { inject } from "vitest";
import { type LocalStack, type LocalStackOptions, startLocalStack } from "#local/stack";

/**
 * The HeyGen client's wait between retries, for tests: resolves at once, so a fault that makes the client
 * back off (or wait out `Retry-After`) costs no real time. The number of attempts is unchanged.
 */
export const noWait = async (_ms: number): Promise<void> => {};

/** The run's DynamoDB Local, started once by the global setup (test/setup/dynamodb-local.ts). */
export function runDynamoDbEndpoint(): string {
  const endpoint = inject("dynamoDbEndpoint");
  if (!endpoint)
    throw new Error("no DynamoDB Local: run the file through its Vitest project (vitest.config.ts)");
  return endpoint;
}

/**
 * `startLocalStack` as the tests run it: on the run's DynamoDB Local (a table of its own, deleted at stop),
 * with HeyGen and store retries that do not wait and sandbox videos charged as soon as they complete. `options` may
 * override each.
 */
export function startTestStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  return startLocalStack({
    dynamoEndpoint: runDynamoDbEndpoint(),
    heygenSleep: noWait,
    storeSleep: noWait,
    sandboxChargeDelayMs: 0,
    ...options,
  });
}
