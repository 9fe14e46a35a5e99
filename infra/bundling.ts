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
  // The Node.js runtime ships AWS SDK v3: leaving it out keeps each bundle near 250 KB and the cold start
  // short (README, Performance). Everything else (Powertools, zod, our code) is bundled and minified.
  externalModules: ["@aws-sdk/*"],
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
