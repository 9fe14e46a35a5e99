/**
 * How the Lambdas are bundled (esbuild through NodejsFunction), as plain values so that the benchmark
 * bundles exactly what the stack deploys.
 */
export const LAMBDA_BUNDLING = {
  /** Runtime.NODEJS_24_X. */
  target: "node24",
  format: "esm",
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
} as const;
