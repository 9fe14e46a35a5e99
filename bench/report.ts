import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { dirname } from "node:path";
import type { BudgetCostFigure } from "./budget-costs.ts";
import type { ColdStartFigures } from "./cold-start.ts";
import type { CommandCounts } from "./dynamodb-calls.ts";
import type { BenchResults, Machine } from "./results.ts";
import { round } from "./stats.ts";

export function describeMachine(): Machine {
  const cpu = cpus();
  return {
    cpuModel: cpu[0]?.model.trim() ?? "unknown",
    cores: cpu.length,
    memoryGiB: round(totalmem() / 2 ** 30, 1),
    platform: process.platform,
    arch: process.arch,
    loadAverageAtStart: round(loadavg()[0] ?? 0, 2),
  };
}

/** Writes results.json; figures are rounded for reading, never for judging (targets were judged before). */
export function writeResults(path: string, results: BenchResults): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(
    path,
    `${JSON.stringify(results, (_key, value) => (typeof value === "number" ? round(value, 3) : value), 2)}\n`,
  );
}

type Row = [string, string, string, string];

/** The one table: every figure next to what it is compared with (the baseline, the contract or the target). */
export function renderTable(results: BenchResults): string {
  const {
    checks,
    reservations,
    inProcess,
    coldStart,
    dynamodbCalls,
    openHolds,
    budgetCosts,
    spendReport,
    pollerScaling,
    lambdaRuntime,
  } = results.figures;
  const s = results.settings;
  const ms = (value: number) => `${fixed(value, value < 1 ? 3 : 1)} ms`;
  const p50p99 = (f: { p50Ms: number; p99Ms: number }) => `${ms(f.p50Ms)} / ${ms(f.p99Ms)}`;
  const runtimes = [
    { label: `Node ${results.node}`, inProcess, coldStart },
    ...(lambdaRuntime ? [{ label: `Node ${lambdaRuntime.node} (Lambda)`, ...lambdaRuntime }] : []),
  ];
  const rows: Row[] = [
    ["Measure", "Guard", "Compared with", "Ratio / verdict"],
    ...checks.flatMap((c, i): Row[] => [
      [
        `1${"abcdefgh"[i] ?? ""}. Checks over HTTP, ${c.connections} connection${c.connections === 1 ? "" : "s"}, HeyGen ${s.heygenLatencyMs} ms`,
        "",
        "guide baseline",
        "guard ÷ baseline",
      ],
      [
        "   requests/s",
        fixed(c.guard.perSecond, 0),
        fixed(c.baseline.perSecond, 0),
        `${fixed(c.ratios.requestsPerSecond, 1)}×`,
      ],
      ["   p50", ms(c.guard.p50Ms), ms(c.baseline.p50Ms), `${fixed(c.ratios.p50, 3)}×`],
      ["   p99", ms(c.guard.p99Ms), ms(c.baseline.p99Ms), `${fixed(c.ratios.p99, 3)}×`],
      [
        "   HeyGen calls per 1,000 checks",
        fixed(c.guard.heygenCallsPer1000, 2),
        fixed(c.baseline.heygenCallsPer1000, 0),
        `${c.guard.heygenCalls} vs ${c.baseline.heygenCalls} calls`,
      ],
    ]),
    [`2. Reserve + commit pairs, ${reservations.clients} clients`, "", "", ""],
    ["   pairs/s", fixed(reservations.perSecond, 0), "", `${reservations.completed} pairs`],
    ["   p50 / p99 per pair", `${ms(reservations.p50Ms)} / ${ms(reservations.p99Ms)}`, "", ""],
    [
      "   open holds after the run (reserve + commit pairs: 0)",
      String(reservations.openHoldsAfterRun),
      `${fixed(reservations.stateItemKB, 0)} KB as JSON`,
      "",
    ],
    [
      "   lowest available seen",
      fixed(reservations.minAvailable, 2),
      "≥ 0",
      verdict(reservations.neverNegative),
    ],
    ...runtimes.flatMap(({ label, inProcess: ip }): Row[] => [
      [`3. In process, I/O stubbed (one core), ${label}`, "ops/s", "p50 / p99", ""],
      ["   estimate (POST /v1/estimates)", fixed(ip.estimate.opsPerSecond, 0), p50p99(ip.estimate), ""],
      ["   check (POST /v1/checks)", fixed(ip.check.opsPerSecond, 0), p50p99(ip.check), ""],
      [
        "   router floor (echo route, same Router)",
        fixed(ip.routerFloor.opsPerSecond, 0),
        p50p99(ip.routerFloor),
        "",
      ],
    ]),
    ...runtimes.flatMap(({ label, coldStart: cs }): Row[] => [
      [`4. Cold start (median of ${s.coldStartRuns} imports), ${label}`, "bundle", "import", ""],
      ["   API Lambda", kb(cs.api.bundleBytes), ms(cs.api.importMedianMs), ""],
      ["   webhook Lambda", kb(cs.webhook.bundleBytes), ms(cs.webhook.importMedianMs), ""],
      ["   poller Lambda", kb(cs.poller.bundleBytes), ms(cs.poller.importMedianMs), ""],
    ]),
    ["5. DynamoDB calls per operation", "measured", "contract", ""],
    ...dynamodbCalls.map(
      (c): Row => [
        `   ${c.operation}`,
        `${c.reads}r + ${c.writes}w (${commandList(c.measured)})`,
        c.contract ? `${c.contract.reads}r + ${c.contract.writes}w` : "none stated",
        c.meetsContract === null ? "" : verdict(c.meetsContract),
      ],
    ),
    ["5b. Reserve as open holds grow (one account)", "p50 / p99", "WCU / reserve", "RCU / check"],
    ...openHolds.map(
      (o): Row => [
        `   ${o.openHolds.toLocaleString("en")} open holds`,
        `${ms(o.reserveP50Ms)} / ${ms(o.reserveP99Ms)}`,
        fixed(o.reserveWcu, 1),
        fixed(o.checkRcu, 1),
      ],
    ),
    [
      `5c. Per operation at ${budgetLevelsOf(budgetCosts)
        .map((n) => n.toLocaleString("en"))
        .join(" / ")} budgets and holds`,
      "no budget: RCU + WCU, items",
      "budget: RCU + WCU, items",
      "flat",
    ],
    ...budgetCostRows(budgetCosts),
    ...spendReportRows(spendReport),
    [
      `6. Poller, concurrency ${pollerScaling.concurrency}, HeyGen ${s.heygenLatencyMs} ms`,
      "wall time",
      "latency floor",
      "HeyGen calls, RCU / WCU",
    ],
    ...pollerScaling.runs.map(
      (r): Row => [
        `   ${r.accounts} account${r.accounts === 1 ? "" : "s"}`,
        ms(r.wallMs),
        ms(r.latencyFloorMs),
        `${r.heygenCalls}, ${fixed(r.readUnits, 1)} / ${fixed(r.writeUnits, 1)}`,
      ],
    ),
    ["Targets", "measured", "", ""],
    ...results.targets.map((t): Row => [`   ${t.target}`, t.measured, "", t.met ? "met" : "MISSED"]),
  ];
  return formatRows(rows);
}

function budgetLevelsOf(figures: readonly BudgetCostFigure[]): number[] {
  return [...new Set(figures.map((f) => f.present))];
}

/**
 * One row per operation: its cost without and with a budget, at each level when they differ (DynamoDB
 * Local's capacity, and the items its transaction wrote, which DynamoDB proper bills per item).
 */
function budgetCostRows(figures: readonly BudgetCostFigure[]): Row[] {
  const operations = [...new Set(figures.map((f) => f.operation))];
  return operations.map((operation): Row => {
    const side = (budget: boolean) => {
      const cells = figures
        .filter((f) => f.operation === operation && f.budget === budget)
        .map((f) => `${fixed(f.readUnits, 1)} + ${fixed(f.writeUnits, 0)}, ${f.transactItems}`);
      return { cells, flat: new Set(cells).size <= 1 };
    };
    const [without, within] = [side(false), side(true)];
    const show = (s: { cells: string[]; flat: boolean }) =>
      s.flat ? (s.cells[0] ?? "") : s.cells.join(" / ");
    return [`   ${operation}`, show(without), show(within), verdict(without.flat && within.flat)];
  });
}

/** The spend report per number of ledger entries, and the commit's ledger item (docs/spend.md, "Reports"). */
function spendReportRows({ reports, commit }: BenchResults["figures"]["spendReport"]): Row[] {
  return [
    ["5d. Spend report, one account, 92 days", "p50 (read + sum)", "RCU, Query pages", "bytes / entry"],
    ...reports.map(
      (r): Row => [
        `   ${r.entries.toLocaleString("en")} ledger entries`,
        `${fixed(r.reportP50Ms, 0)} ms`,
        `${fixed(r.reportRcu, 1)}, ${r.pages}`,
        String(r.itemBytes),
      ],
    ),
    [
      "   commit: items, WCU (DynamoDB Local)",
      `${commit.transactItems} items, ${fixed(commit.commitWcu, 0)} WCU`,
      `ledger item ${commit.ledgerItemBytes} B`,
      `${fixed(commit.ledgerPutWcu, 0)} WCU alone, ${fixed(2 * commit.ledgerPutWcu, 0)} in a transaction`,
    ],
  ];
}

/** Each bundle's size (KB = 1,000 bytes, minified) and its largest contributors, from esbuild's metafile. */
export function renderBundles(coldStart: ColdStartFigures): string {
  return Object.entries(coldStart)
    .map(([name, figure]) => {
      const shares = figure.composition.map((share) => `${share.source} ${kb(share.bytes)}`).join(", ");
      return `${name} bundle ${kb(figure.bundleBytes)}: ${shares}`;
    })
    .join("\n");
}

export function renderRatios(results: BenchResults): string {
  return results.figures.checks
    .map((c) =>
      [
        `Guard ÷ baseline at ${c.connections} connection${c.connections === 1 ? "" : "s"}: ${fixed(c.ratios.requestsPerSecond, 1)}× the requests/s,`,
        `${fixed(c.ratios.p50, 3)}× the p50 and ${fixed(c.ratios.p99, 3)}× the p99 latency,`,
        `${fixed(c.guard.heygenCallsPer1000, 2)} vs ${fixed(c.baseline.heygenCallsPer1000, 0)} HeyGen calls per 1,000 checks.`,
      ].join(" "),
    )
    .join("\n");
}

function formatRows(rows: Row[]): string {
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i]?.length ?? 0)));
  const line = (r: Row) => `| ${r.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  const rule = `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`;
  const [head, ...body] = rows;
  return [line(head as Row), rule, ...body.map(line)].join("\n");
}

function fixed(value: number, digits: number): string {
  return Number.isFinite(value)
    ? value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : "n/a";
}

function kb(bytes: number): string {
  return `${fixed(bytes / 1000, 0)} KB`;
}

function verdict(ok: boolean): string {
  return ok ? "ok" : "NO";
}

function commandList(counts: CommandCounts): string {
  return Object.entries(counts)
    .map(([name, n]) => `${n} ${name.replace(/Command$/, "")}`)
    .join(", ");
}
