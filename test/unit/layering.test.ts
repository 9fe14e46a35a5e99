import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * The layering rules of biome.json (noRestrictedImports per folder) bite: probe files, each placed where a
 * rule applies, are linted in one run of the project's biome with its configuration, in a scratch directory
 * so that the working tree is never touched.
 */

const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
const BIOME = join(REPO_ROOT, "node_modules", ".bin", "biome");

const FORBIDDEN: [folder: string, specifier: string][] = [
  ["lambdas/core", "#config/config"],
  ["lambdas/core", "#store/table"],
  ["lambdas/core", "../config/config.ts"],
  ["lambdas/core", "@aws-sdk/client-dynamodb"],
  ["lambdas/service", "#store/dynamo-store"],
  ["lambdas/service", "#notify/sns-notifier"],
  ["lambdas/service", "#runtime/wiring"],
  ["lambdas/service", "../store/dynamo-store.ts"],
  ["lambdas/api", "#store/table"],
  ["lambdas/api", "../store/table.ts"],
  ["lambdas/api/handler.ts", "./routes.ts"],
  ["lambdas/billing/handler.ts", "#service/poll-accounts"],
  // Any folder's handler, a new one included.
  ["lambdas/status/handler.ts", "#runtime/aws"],
];
const ALLOWED: [folder: string, specifier: string][] = [
  ["lambdas/core", "#core/account"],
  ["lambdas/core", "./balance.ts"],
  ["lambdas/core", "zod"],
  ["lambdas/service", "#config/config"],
  ["lambdas/service", "./reservation-port.ts"],
  ["lambdas/api", "#service/services"],
  ["lambdas/webhook/handler.ts", "#runtime/lambda-http"],
  ["lambdas/poller/handler.ts", "#runtime/lambda-poller"],
];

/** A probe per case: `<folder>/probe-<n>.ts`, or the handler file itself (one case per handler). */
const probeOf = (folder: string, n: number) => (folder.endsWith(".ts") ? folder : `${folder}/probe-${n}.ts`);
const cases = [...FORBIDDEN, ...ALLOWED].map(([folder, specifier], n) => ({
  file: probeOf(folder, n),
  specifier,
}));
const scratch = mkdtempSync(join(tmpdir(), "layering-"));
/** The files biome reported a restricted import in. */
let flagged: string[] = [];

beforeAll(() => {
  const config = JSON.parse(readFileSync(join(REPO_ROOT, "biome.json"), "utf8")) as Record<string, unknown>;
  const { $schema: _schema, vcs: _vcs, files: _files, ...rules } = config;
  writeFileSync(join(scratch, "biome.json"), JSON.stringify(rules));
  for (const { file, specifier } of cases) {
    mkdirSync(dirname(join(scratch, file)), { recursive: true });
    writeFileSync(join(scratch, file), `import { x } from "${specifier}";\nexport const y = x;\n`);
  }
  const run = spawnSync(BIOME, ["lint", "--reporter=json", "lambdas"], { cwd: scratch, encoding: "utf8" });
  const report = JSON.parse(run.stdout) as {
    diagnostics: { category: string; location: { path: string } }[];
  };
  flagged = report.diagnostics
    .filter((d) => d.category === "lint/style/noRestrictedImports")
    .map((d) => d.location.path);
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("biome's per-folder import rules", () => {
  it.each(FORBIDDEN.map(([folder, specifier], n) => [probeOf(folder, n), specifier]))(
    "%s may not import %s",
    (file) => {
      expect(flagged).toContain(file);
    },
  );

  it.each(ALLOWED.map(([folder, specifier], n) => [probeOf(folder, FORBIDDEN.length + n), specifier]))(
    "%s may import %s",
    (file) => {
      expect(flagged).not.toContain(file);
    },
  );
});
