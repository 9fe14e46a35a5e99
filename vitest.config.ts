import { defineConfig } from "vitest/config";

/** DynamoDB Local, started once per run for every project that names it (test/setup/dynamodb-local.ts). */
const DYNAMODB_LOCAL = "test/setup/dynamodb-local.ts";

/**
 * Five projects, one script each (`npm run test:unit`, ...); `vitest run` (in `npm test`) runs them all in one
 * pool of two workers. `unit` and `infra` need no local services.
 */
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    maxWorkers: 2,
    // Each worker process runs file after file with its imports kept: aws-cdk-lib, the AWS SDK and
    // Powertools are loaded once per worker, not once per file (per file, that was most of the run's time).
    // Test files leave no state behind (each stack, table and server is stopped in its afterAll).
    isolate: false,
    env: {
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "local",
      AWS_SECRET_ACCESS_KEY: "local",
      // The SDK's notice that its 2027 releases need Node 22 (README, Troubleshooting), once per worker.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      CDK_CONTEXT_JSON: '{"aws:cdk:bundling-stacks":[]}',
      POWERTOOLS_DEV: "false",
      POWERTOOLS_LOG_LEVEL: "SILENT",
      POWERTOOLS_METRICS_DISABLED: "true",
    },
    projects: [
      { extends: true, test: { name: "unit", include: ["test/unit/**/*.test.ts"] } },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          globalSetup: [DYNAMODB_LOCAL],
        },
      },
      {
        extends: true,
        test: {
          name: "e2e",
          // The client library and the CLI against the local stack, and the bench's smoke run, are end to end too.
          include: [
            "test/e2e/**/*.test.ts",
            "test/client/**/*.test.ts",
            "test/cli/**/*.test.ts",
            "test/bench/**/*.test.ts",
          ],
          globalSetup: [DYNAMODB_LOCAL],
        },
      },
      { extends: true, test: { name: "infra", include: ["test/infra/**/*.test.ts"] } },
      {
        extends: true,
        test: {
          name: "reliability",
          include: ["test/reliability/**/*.test.ts"],
          globalSetup: [DYNAMODB_LOCAL],
        },
      },
    ],
  },
});
