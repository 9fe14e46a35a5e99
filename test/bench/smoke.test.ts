import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runDynamoDbEndpoint } from "#test/support/local-stack";
import { renderTable, writeResults } from "../../bench/report.ts";
import type { BenchResults } from "../../bench/results.ts";
import { runBench } from "../../bench/run.ts";
import { BenchSettingsError, parseBenchSettings } from "../../bench/settings.ts";

/**
 * Runs the whole bench with tiny settings so that it cannot rot. Figures are never asserted (timing depends
 * on the machine); only that every phase ran and the results are complete and well formed.
 */
describe("npm run bench (smoke)", () => {
  const dir = mkdtempSync(join(tmpdir(), "quota-guard-bench-smoke-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("runs every phase with tiny settings and writes well-formed results", async () => {
    const settings = parseBenchSettings(
      [
        "--duration-s=1",
        "--connections=1,2",
        "--reservation-clients=2",
        "--in-process-iterations=50",
        "--cold-start-runs=2",
        "--poll-accounts=1,3",
        "--open-holds=0,5",
        "--budgets=0,3",
        "--spend-entries=30,60",
        "--heygen-latency-ms=5",
        // Exercises the second-runtime path without a download: this very Node stands in for Lambda's.
        `--lambda-node=${process.execPath}`,
        `--results=${join(dir, "results.json")}`,
      ],
      {},
    );
    const results = await runBench(settings, undefined, { dynamoEndpoint: runDynamoDbEndpoint() });
    writeResults(settings.resultsPath, results);

    expect(existsSync(settings.resultsPath)).toBe(true);
    const written = JSON.parse(readFileSync(settings.resultsPath, "utf8")) as BenchResults;
    expect(written.node).toBe(process.version);
    expect(written.machine.cores).toBeGreaterThan(0);
    expect(written.settings).toMatchObject({
      durationSeconds: 1,
      connections: [1, 2],
      pollAccountCounts: [1, 3],
    });

    const { checks, reservations, inProcess, coldStart, dynamodbCalls, pollerScaling } = written.figures;
    expect(checks.map((c) => c.connections)).toEqual([1, 2]);
    for (const level of checks) {
      for (const side of [level.guard, level.baseline]) {
        expect(side.completed).toBeGreaterThan(0);
        expect(Number.isFinite(side.p99Ms)).toBe(true);
      }
      // The baseline asks HeyGen once per check, the guard on a fresh balance never does.
      expect(level.baseline.heygenCalls).toBeGreaterThanOrEqual(level.baseline.completed);
      expect(level.guard.heygenCalls).toBe(0);
    }
    expect(reservations.completed).toBeGreaterThan(0);
    expect(reservations.neverNegative).toBe(true);
    for (const figure of [inProcess.estimate, inProcess.check, inProcess.routerFloor]) {
      expect(figure.opsPerSecond).toBeGreaterThan(0);
    }
    expect(written.figures.lambdaRuntime?.node).toBe(process.version);
    expect(written.figures.lambdaRuntime?.inProcess.check.opsPerSecond).toBeGreaterThan(0);
    for (const lambda of [coldStart.api, coldStart.webhook, coldStart.poller]) {
      expect(lambda.bundleBytes).toBeGreaterThan(0);
      expect(lambda.importRunsMs).toHaveLength(2);
      // The composition adds up to the bundle's code (the banner and esbuild's glue are the difference).
      const composed = lambda.composition.reduce((sum, share) => sum + share.bytes, 0);
      expect(composed).toBeLessThanOrEqual(lambda.bundleBytes);
      expect(composed).toBeGreaterThan(lambda.bundleBytes * 0.9);
      expect(lambda.composition.map((share) => share.source)).toContain("zod");
    }
    expect(dynamodbCalls.map((c) => c.operation)).toEqual([
      "check",
      "reserve",
      "commit",
      "release",
      "poll (one account)",
    ]);
    expect(dynamodbCalls.find((c) => c.operation === "check")?.reads).toBe(1);
    expect(pollerScaling.runs.map((r) => [r.accounts, r.heygenCalls, r.recorded])).toEqual([
      [1, 1, 1],
      [3, 3, 3],
    ]);
    // Each run is metered: a poll writes (claim, snapshot, end of reading) for every account it reads.
    for (const run of pollerScaling.runs) expect(run.writeUnits).toBeGreaterThanOrEqual(3 * run.accounts);
    expect(written.figures.openHolds.map((o) => o.openHolds)).toEqual([0, 5]);
    for (const level of written.figures.openHolds) {
      expect(level.reserveWcu).toBeGreaterThan(0);
      expect(level.checkRcu).toBeGreaterThan(0);
    }
    const { budgetCosts } = written.figures;
    expect(budgetCosts).toHaveLength(2 * 2 * 5);
    for (const figure of budgetCosts) {
      expect(figure.writeUnits).toBeGreaterThan(0);
      // The budget's item is one more in each transaction (DynamoDB Local's units do not show it).
      const without = budgetCosts.find(
        (f) => f.operation === figure.operation && f.present === figure.present && !f.budget,
      );
      expect(figure.transactItems).toBe((without?.transactItems ?? 0) + (figure.budget ? 1 : 0));
    }
    const { spendReport } = written.figures;
    expect(spendReport.reports.map((r) => r.entries)).toEqual([30, 60]);
    for (const report of spendReport.reports) {
      expect(report.reportRcu).toBeGreaterThan(0);
      expect(report.pages).toBeGreaterThanOrEqual(1);
    }
    // The ledger entry is one item of the commit's transaction, under 1 KB: 1 WCU alone.
    expect(spendReport.commit.transactItems).toBeGreaterThanOrEqual(2);
    expect(spendReport.commit.ledgerItemBytes).toBeLessThan(1024);
    expect(spendReport.commit.ledgerPutWcu).toBe(1);
    expect(written.targets).toHaveLength(11);

    const table = renderTable(results);
    for (const heading of [
      "1a. Checks",
      "1b. Checks",
      "2. Reserve",
      "3. In process",
      "4. Cold start",
      "5. DynamoDB",
      "5b. Reserve as open holds grow",
      "5c. Per operation at",
      "5d. Spend report",
      "6. Poller",
    ]) {
      expect(table).toContain(heading);
    }
  }, 180_000);

  it("names the setting when one is invalid", () => {
    expect(() => parseBenchSettings([], { BENCH_CONNECTIONS: "0" })).toThrow(/BENCH_CONNECTIONS/);
    expect(() => parseBenchSettings(["--duration-s=x"], {})).toThrow(/--duration-s/);
    expect(() => parseBenchSettings(["--poll-accounts=10,1"], {})).toThrow(BenchSettingsError);
    expect(() => parseBenchSettings(["--nope=1"], {})).toThrow(/unknown argument --nope=1/);
  });
});
