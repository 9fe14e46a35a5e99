import { defineConfig } from "vitest/config";

/** DynamoDB Local, started once per run for every project that names it (test/setup/dynamodb-local.ts). */
const DYNAMODB_LOCAL = "test/setup/dynamodb-local.ts";

/** Proofs of no oversubscription and of cost that does not grow: many writers, thousands of items. */
const CONCURRENCY = [
  "test/integration/store-concurrency.test.ts",
  "test/integration/store-properties.test.ts",
  "test/integration/poll-fan-out.test.ts",
  "test/integration/budget-concurrency.test.ts",
  "test/integration/budget-properties.test.ts",
];
/** The Step Functions examples, run by an ASL interpreter against the local stack. */
const ASL = [
  "test/e2e/gated-video-job.test.ts",
  "test/e2e/gated-video-job-callback.test.ts",
  "test/e2e/gated-video-job-slots.test.ts",
  "test/e2e/field-case-g7-step-functions.test.ts",
];
/** The real bundling of every Lambda, held to its size budget (the bench's concern, and 15 s of CPU). */
const BUNDLING = ["test/infra/bundling.test.ts"];
/** The status page in headless Chromium. */
const BROWSER = ["test/e2e/status-page.test.ts", "test/e2e/status-page-spend.test.ts"];

/**
 * Ten projects. `npm test` runs the fast four (unit, infra, integration, e2e); `npm run test:proofs` runs the
 * six slow proofs (concurrency, reliability, asl, browser, cli, bench); `.ci/run` runs both. Each project has
 * its own script too (`npm run test:unit`, ...). Each run is one pool of two workers; `unit` and `infra` need no
 * local services. Type-level tests are not here: test/types/ is checked by `tsc --noEmit`.
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
      // npm test: the fast projects.
      { extends: true, test: { name: "unit", include: ["test/unit/**/*.test.ts"] } },
      { extends: true, test: { name: "infra", include: ["test/infra/**/*.test.ts"], exclude: BUNDLING } },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          exclude: CONCURRENCY,
          globalSetup: [DYNAMODB_LOCAL],
        },
      },
      {
        extends: true,
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts", "test/client/**/*.test.ts"],
          exclude: [...ASL, ...BROWSER],
          globalSetup: [DYNAMODB_LOCAL],
        },
      },
      // npm run test:proofs: the slow proofs, each project one kind.
      { extends: true, test: { name: "concurrency", include: CONCURRENCY, globalSetup: [DYNAMODB_LOCAL] } },
      {
        extends: true,
        test: {
          name: "reliability",
          include: ["test/reliability/**/*.test.ts"],
          globalSetup: [DYNAMODB_LOCAL],
        },
      },
      { extends: true, test: { name: "asl", include: ASL, globalSetup: [DYNAMODB_LOCAL] } },
      { extends: true, test: { name: "browser", include: BROWSER, globalSetup: [DYNAMODB_LOCAL] } },
      {
        extends: true,
        test: { name: "cli", include: ["test/cli/**/*.test.ts"], globalSetup: [DYNAMODB_LOCAL] },
      },
      {
        extends: true,
        test: {
          name: "bench",
          include: ["test/bench/**/*.test.ts", ...BUNDLING],
          globalSetup: [DYNAMODB_LOCAL],
        },
      },
    ],
  },
});
