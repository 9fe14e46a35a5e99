import type { BenchFigures, TargetResult } from "./results.ts";
import { round } from "./stats.ts";

const KB = 1000;

/** The targets, unchanged, judged against one run's figures. */
export function judgeTargets(f: BenchFigures): TargetResult[] {
  // Judged on the 100-account run, whatever larger ones follow.
  const runs = f.pollerScaling.runs;
  const lastPoll = runs.find((r) => r.accounts === 100) ?? runs.at(-1);
  // Speed in process and at import is judged on the Node the Lambdas run on when the run had it.
  const runtime = f.lambdaRuntime ?? {
    node: "this machine's Node",
    inProcess: f.inProcess,
    coldStart: f.coldStart,
  };
  const on = ` (${runtime.node})`;
  const contracted = f.dynamodbCalls.filter((c) => c.meetsContract !== null);
  const guardCallsPer1000 = Math.max(...f.checks.map((c) => c.guard.heygenCallsPer1000));
  const baselineCallsPer1000 = Math.min(...f.checks.map((c) => c.baseline.heygenCallsPer1000));
  return [
    ...f.checks.map((c) => ({
      target: `guard checks ≥ 20× baseline requests/s at ${c.connections} connection${c.connections === 1 ? "" : "s"}`,
      measured: `${round(c.ratios.requestsPerSecond, 1)}×`,
      met: c.ratios.requestsPerSecond >= 20,
    })),
    {
      target: "≤ 1 HeyGen call per 1,000 guard checks",
      measured: `${round(guardCallsPer1000, 2)} (baseline ${round(baselineCallsPer1000, 0)})`,
      met: guardCallsPer1000 <= 1,
    },
    {
      target: `check handler p99 in process ≤ 0.2 ms${on}`,
      measured: `${round(runtime.inProcess.check.p99Ms, 3)} ms`,
      met: runtime.inProcess.check.p99Ms <= 0.2,
    },
    {
      target: `≥ 20,000 estimates/s on one core${on}`,
      measured: `${Math.round(runtime.inProcess.estimate.opsPerSecond)}/s`,
      met: runtime.inProcess.estimate.opsPerSecond >= 20_000,
    },
    {
      target: "every Lambda bundle ≤ 300 KB minified",
      measured: Object.entries(f.coldStart)
        .map(([name, figure]) => `${name} ${round(figure.bundleBytes / KB, 0)} KB`)
        .join(", "),
      met: Object.values(f.coldStart).every((figure) => figure.bundleBytes <= 300 * KB),
    },
    {
      target: `API bundle import ≤ 100 ms median${on}`,
      measured: `${round(runtime.coldStart.api.importMedianMs, 0)} ms`,
      met: runtime.coldStart.api.importMedianMs <= 100,
    },
    {
      target: "DynamoDB calls as the contract says",
      measured: contracted.map((c) => `${c.operation} ${c.reads}r+${c.writes}w`).join(", "),
      met: contracted.every((c) => c.meetsContract),
    },
    ...openHoldTargets(f),
    {
      target: "100 accounts polled in < 3 s",
      measured: lastPoll ? `${lastPoll.accounts} in ${round(lastPoll.wallMs / 1000, 2)} s` : "not run",
      met: lastPoll !== undefined && lastPoll.accounts >= 100 && lastPoll.wallMs < 3000,
    },
  ];
}

/** Reserve p50 at the most open holds ÷ at none ≤ 1.3, and the same write units at every level. */
function openHoldTargets(f: BenchFigures): TargetResult[] {
  const first = f.openHolds[0];
  const last = f.openHolds.at(-1);
  if (first === undefined || last === undefined) return [];
  const ratio = last.reserveP50Ms / first.reserveP50Ms;
  const wcu = new Set(f.openHolds.map((o) => o.reserveWcu));
  return [
    {
      target: `reserve p50 at ${last.openHolds} open holds ÷ at ${first.openHolds} ≤ 1.3`,
      measured: `${round(ratio, 2)} (${last.reserveP50Ms} / ${first.reserveP50Ms} ms)`,
      met: ratio <= 1.3,
    },
    {
      target: "reserve WCU constant as open holds grow",
      measured: f.openHolds.map((o) => `${o.reserveWcu} at ${o.openHolds}`).join(", "),
      met: wcu.size === 1,
    },
  ];
}
