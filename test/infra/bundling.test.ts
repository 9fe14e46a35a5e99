import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp, removeTempDirs } from "./synth.ts";

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

  it("bundles every handler with local esbuild into minified ESM exporting `handler`, with source maps", () => {
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
      console.info(`${fn.Properties.Description}: ${statSync(bundle).size} bytes`);
    }
  }, 120_000);
});
