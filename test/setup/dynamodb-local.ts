import type { TestProject } from "vitest/node";
// First: this process (Vitest's own, not a worker) makes an AWS SDK client too (README, Troubleshooting).
import "#local/quiet-sdk";
import { DYNAMODB_ENDPOINT_ENV, type DynamoDbLocal, startDynamoDbLocal } from "#local/dynamodb-local";

/**
 * Vitest global setup: one DynamoDB Local (a JVM, seconds to start) for the whole run, instead of one per
 * test file. Its endpoint reaches the test files as `inject("dynamoDbEndpoint")`; each file makes its own
 * tables there (`connectDynamoDbLocal`, `startLocalStack({ dynamoEndpoint })`), so files running at the same
 * time share only the database process. With DYNAMODB_ENDPOINT set, that DynamoDB Local (started beforehand,
 * kept up between runs) is the run's, and none is started or stopped.
 */

declare module "vitest" {
  export interface ProvidedContext {
    /** The run's DynamoDB Local, e.g. `http://127.0.0.1:41234`. */
    dynamoDbEndpoint: string;
  }
}

interface Shared {
  started: Promise<DynamoDbLocal>;
  projects: number;
}

// Every project that needs DynamoDB names this file, and Vitest loads it once per project: the one instance is
// kept on the process and stopped when the last project's teardown runs.
const SHARED = Symbol.for("quota-guard.test.dynamodb-local");

// The JVMs the tests start (this one, and those a test file starts itself, in workers forked after this) run
// on the C1 compiler with the serial collector: a short-lived database under a few thousand requests spends
// more CPU compiling with C2 and collecting in parallel than it gets back, on 2 cores shared with the tests
// (the integration project: 30.5 s of CPU before, 22.5 s after; docs/development.md). A caller's own
// JAVA_TOOL_OPTIONS wins.
process.env.JAVA_TOOL_OPTIONS ??= "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC";
const holder = globalThis as { [SHARED]?: Shared };

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const given = process.env[DYNAMODB_ENDPOINT_ENV];
  if (given) {
    project.provide("dynamoDbEndpoint", given);
    return async () => {};
  }
  const shared = holder[SHARED] ?? { started: startDynamoDbLocal(), projects: 0 };
  holder[SHARED] = shared;
  shared.projects++;
  const dynamo = await shared.started;
  project.provide("dynamoDbEndpoint", dynamo.endpoint);
  return async () => {
    if (--shared.projects > 0) return;
    delete holder[SHARED];
    await dynamo.stop();
  };
}
