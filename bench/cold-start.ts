import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type BuildOptions, build, type Metafile } from "esbuild";
import { ENV } from "#runtime/environment";
import { esbuildOptions } from "../infra/bundling.ts";
import { median } from "./stats.ts";

const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));

/** The four Lambdas, as infra/quota-guard.ts and infra/heygen-webhook.ts deploy them. */
export const LAMBDA_ENTRIES = {
  api: "lambdas/api/handler.ts",
  webhook: "lambdas/webhook/handler.ts",
  reports: "lambdas/reports/handler.ts",
  poller: "lambdas/poller/handler.ts",
} as const;
export type LambdaName = keyof typeof LAMBDA_ENTRIES;

/** The esbuild settings NodejsFunction derives from infra/bundling.ts, the same values the stack uses. */
const STACK_BUNDLING: BuildOptions = { ...esbuildOptions(), logLevel: "warning" };

/** What the handlers read from the environment at import (placeholders; nothing is called at import). */
const IMPORT_ENV = {
  AWS_REGION: "us-east-1",
  [ENV.tableName]: "quota-guard-bench",
  [ENV.topicArn]: "arn:aws:sns:us-east-1:000000000000:quota-guard-bench",
  [ENV.webhookSecretName]: "quota-guard/heygen-webhook-bench",
  POWERTOOLS_SERVICE_NAME: "quota-guard",
  // As the stack sets it: stack traces map back to the sources, which costs a source-map read at import.
  NODE_OPTIONS: "--enable-source-maps",
};

export interface ColdStartFigure {
  bundleBytes: number;
  /** The bundle's largest contributors (an npm package, or a lambdas/ folder), bytes in the output, largest first. */
  composition: BundleShare[];
  importMedianMs: number;
  importRunsMs: number[];
}

export interface BundleShare {
  source: string;
  bytes: number;
}

/** How many contributors `composition` keeps; the rest are summed as `other`. */
const COMPOSITION_TOP = 10;

export type ColdStartFigures = Record<LambdaName, ColdStartFigure>;

/** Bundles each Lambda like the stack, then imports each bundle in `runs` fresh Node processes. */
export async function measureColdStarts(
  runs: number,
  nodePath = process.execPath,
): Promise<ColdStartFigures> {
  // Inside the repository, so the bundles resolve the external AWS SDK from node_modules as Lambda resolves
  // the runtime's copy.
  const outDir = mkdtempSync(join(REPO_ROOT, "bench", ".cold-start-"));
  try {
    // The defaults, as the stack's config layer would hold them (the handlers read it at import).
    const configFile = join(outDir, "config.json");
    writeFileSync(configFile, "{}");
    const env = { ...IMPORT_ENV, [ENV.config]: configFile };
    const bundles = {} as Record<LambdaName, string>;
    const compositions = {} as Record<LambdaName, BundleShare[]>;
    for (const name of Object.keys(LAMBDA_ENTRIES) as LambdaName[]) {
      bundles[name] = join(outDir, name, "index.mjs");
      const { metafile } = await build({
        ...STACK_BUNDLING,
        entryPoints: [LAMBDA_ENTRIES[name]],
        outfile: bundles[name],
        absWorkingDir: REPO_ROOT,
        metafile: true,
      });
      compositions[name] = compositionOf(metafile, COMPOSITION_TOP);
    }
    const times: Record<LambdaName, number[]> = { api: [], webhook: [], reports: [], poller: [] };
    // Interleaved, so that a burst of noise on the machine does not land on one bundle only.
    for (let run = 0; run < runs; run++) {
      for (const name of Object.keys(bundles) as LambdaName[])
        times[name].push(importOnceMs(bundles[name], nodePath, env));
    }
    const figure = (name: LambdaName): ColdStartFigure => ({
      bundleBytes: statSync(bundles[name]).size,
      composition: compositions[name],
      importMedianMs: median(times[name]),
      importRunsMs: times[name],
    });
    return {
      api: figure("api"),
      webhook: figure("webhook"),
      reports: figure("reports"),
      poller: figure("poller"),
    };
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

/** Time from just before `import()` to the module being evaluated, in a new Node process. */
function importOnceMs(bundlePath: string, nodePath: string, env: Record<string, string>): number {
  const script = [
    "const t0 = performance.now();",
    `const mod = await import(${JSON.stringify(pathToFileURL(bundlePath).href)});`,
    "const ms = performance.now() - t0;",
    'if (typeof mod.handler !== "function") throw new Error("the bundle exports no handler");',
    "console.log(ms);",
  ].join("\n");
  const child = spawnSync(nodePath, ["--input-type=module", "-e", script], {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    encoding: "utf8",
  });
  const ms = Number(child.stdout.trim());
  if (child.status !== 0 || !Number.isFinite(ms)) {
    throw new Error(`importing ${bundlePath} failed (exit ${child.status}):\n${child.stderr.slice(-2000)}`);
  }
  return ms;
}

/**
 * The bundle's bytes by where they come from (esbuild's metafile): an npm package (`zod`,
 * `@aws-lambda-powertools/logger`) or a folder of lambdas/ (`lambdas/core`); the `top` largest, then `other`.
 */
export function compositionOf(metafile: Metafile, top: number): BundleShare[] {
  const output = Object.entries(metafile.outputs).find(([file]) => file.endsWith(".mjs"))?.[1];
  const bySource = new Map<string, number>();
  for (const [file, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1];
    const source = pkg ?? (file.startsWith("lambdas/") ? file.split("/").slice(0, 2).join("/") : file);
    bySource.set(source, (bySource.get(source) ?? 0) + bytesInOutput);
  }
  const sorted = [...bySource].sort(([, a], [, b]) => b - a).map(([source, bytes]) => ({ source, bytes }));
  const rest = sorted.slice(top).reduce((sum, share) => sum + share.bytes, 0);
  return [...sorted.slice(0, top), ...(rest > 0 ? [{ source: "other", bytes: rest }] : [])];
}
