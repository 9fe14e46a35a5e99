import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUNDLE_BUDGET_BYTES } from "#infra/bundling";
import { committedOpenApiFileText } from "#infra/openapi-file";
import { buildApp, removeTempDirs } from "./synth.ts";

type Description = keyof typeof BUNDLE_BUDGET_BYTES;

/**
 * The one test that bundles for real (the others skip bundling through CDK_CONTEXT_JSON): local esbuild,
 * no Docker, one ESM file per handler with its source map.
 */
describe("Lambda bundles", () => {
  const skipBundling = process.env.CDK_CONTEXT_JSON;
  beforeAll(() => {
    delete process.env.CDK_CONTEXT_JSON;
  });
  afterAll(() => {
    process.env.CDK_CONTEXT_JSON = skipBundling;
    removeTempDirs();
  });

  it("bundles every handler with local esbuild into minified ESM exporting `handler`, with source maps, within its size budget and without the X-Ray SDK, zod-openapi, the AWS SDK or its @smithy packages", () => {
    const { app, stack } = buildApp({ context: { "aws:cdk:bundling-stacks": ["**"] } });
    const assembly = app.synth();
    const template = assembly.getStackByName(stack.stackName).template as {
      Resources: Record<
        string,
        { Type: string; Properties: { Description?: string; Code: { S3Key: string } } }
      >;
    };
    const functions = Object.values(template.Resources).filter((r) => r.Type === "AWS::Lambda::Function");
    expect(functions.map((f) => f.Properties.Description).sort()).toEqual([
      "HeyGen Quota Guard HTTP API",
      "HeyGen Quota Guard balance poller",
      "HeyGen Quota Guard reports",
      "HeyGen Quota Guard webhook receiver",
    ]);
    for (const fn of functions) {
      // The asset's hash names both its S3 key and its directory in the cloud assembly.
      const assetDir = join(assembly.directory, `asset.${fn.Properties.Code.S3Key.replace(/\.zip$/, "")}`);
      const bundle = join(assetDir, "index.mjs");
      expect(existsSync(bundle), bundle).toBe(true);
      expect(existsSync(`${bundle}.map`)).toBe(true);
      const code = readFileSync(bundle, "utf8");
      expect(code).toMatch(/export\s*\{[^}]*\bas handler\b[^}]*\}|export\s*\{[^}]*\bhandler\b[^}]*\}/);
      expect(code).toContain("sourceMappingURL=index.mjs.map");
      const description = fn.Properties.Description as Description;
      const bytes = statSync(bundle).size;
      console.info(`${description}: ${bytes} bytes (budget ${BUNDLE_BUDGET_BYTES[description]})`);
      expect(bytes, description).toBeLessThanOrEqual(BUNDLE_BUDGET_BYTES[description]);
      // What the bundle is made of, by the source map's list of inputs (its contents are not shipped).
      const sources = (JSON.parse(readFileSync(`${bundle}.map`, "utf8")) as { sources: string[] }).sources;
      for (const runtimeFree of [
        "aws-xray-sdk-core",
        "@aws-lambda-powertools/tracer",
        "zod-openapi",
        "@aws-sdk/",
        "@smithy/",
      ]) {
        expect(
          sources.filter((source) => source.includes(`node_modules/${runtimeFree}`)),
          runtimeFree,
        ).toEqual([]);
      }
      // GET /openapi.json reads the build-time document next to the API's bundle (lambdas/api/openapi-file.ts).
      // GET /problems/{type} reads the explanations next to it too (lambdas/api/problem-explanations.ts).
      const openApi = join(assetDir, "openapi.json");
      const explanations = join(assetDir, "problem-explanations.json");
      if (description === "HeyGen Quota Guard HTTP API") {
        expect(readFileSync(openApi, "utf8")).toBe(committedOpenApiFileText());
        expect(readFileSync(explanations, "utf8")).toBe(
          readFileSync(new URL("../../lambdas/api/problem-explanations.json", import.meta.url), "utf8"),
        );
      } else {
        expect(existsSync(openApi), openApi).toBe(false);
        expect(existsSync(explanations), explanations).toBe(false);
      }
    }
  }, 120_000);
});
