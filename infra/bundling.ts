import { type BundlingOptions, OutputFormat } from "aws-cdk-lib/aws-lambda-nodejs";
import type { BuildOptions } from "esbuild";

/**
 * How the Lambdas are bundled, stated once in NodejsFunction's terms (the stack passes it as is) and
 * translated once to esbuild's (esbuildOptions, for the benchmark), so the bench bundles exactly what the
 * stack deploys.
 */
export const LAMBDA_BUNDLING = {
  /** Runtime.NODEJS_24_X. */
  target: "node24",
  format: OutputFormat.ESM,
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  mainFields: ["module", "main"],
  // The Node.js runtime ships AWS SDK v3: leaving it out keeps each bundle small and the cold start short
  // (bundling it was 825 KB and no faster to import; docs/bundles-and-tracing.md). The SDK is not pinned by the
  // bundle then: the runtime's copy is used, and package.json's versions are for the tests and the types.
  // Everything else (Powertools, zod, our code) is bundled and minified.
  // The same goes for the SDK's own `@smithy/*` packages: the one we import, `@smithy/core/retry` (the SDK's
  // retry classifiers), is the DynamoDB client's own dependency, already loaded from the runtime, so bundling a
  // copy only added 12.5 KB and a second instance of the same code.
  externalModules: ["@aws-sdk/*", "@smithy/*"],
  // Some CommonJS dependencies call require(); an ESM bundle has to provide it.
  banner:
    "import { createRequire as __createRequire } from 'node:module';const require = __createRequire(import.meta.url);",
  // Local esbuild, never Docker: the bundle is the same on every machine and in CI.
  forceDockerBundling: false,
} as const satisfies BundlingOptions;

/** The esbuild options NodejsFunction derives from LAMBDA_BUNDLING (a bundle for Node.js). */
export function esbuildOptions(): BuildOptions {
  return {
    bundle: true,
    platform: "node",
    target: LAMBDA_BUNDLING.target,
    format: LAMBDA_BUNDLING.format,
    minify: LAMBDA_BUNDLING.minify,
    sourcemap: LAMBDA_BUNDLING.sourceMap,
    sourcesContent: LAMBDA_BUNDLING.sourcesContent,
    external: [...LAMBDA_BUNDLING.externalModules],
    mainFields: [...LAMBDA_BUNDLING.mainFields],
    banner: { js: LAMBDA_BUNDLING.banner },
  };
}

/**
 * Bytes (minified, source map not counted) each Lambda bundle may have, checked by test/infra/bundling.test.ts
 * on the bundles the stack deploys: 300 KB for every bundle, the goal of issue 20. The handlers' zod is
 * `zod/mini` (lambdas/core/zod.ts), which took the API and the webhook from 352 KB to 291 KB and the poller from
 * 228 KB to 166 KB (docs/bundles-and-tracing.md). A ceiling that only goes down.
 */
export const BUNDLE_BUDGET_BYTES = {
  "HeyGen Quota Guard HTTP API": 300_000,
  "HeyGen Quota Guard webhook receiver": 300_000,
  "HeyGen Quota Guard balance poller": 300_000,
  "HeyGen Quota Guard reports": 300_000,
} as const;
