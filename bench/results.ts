import type { BudgetCostFigure } from "./budget-costs.ts";
import type { ChecksFigures } from "./checks-http.ts";
import type { ColdStartFigures } from "./cold-start.ts";
import type { OperationCalls } from "./dynamodb-calls.ts";
import type { InProcessFigures } from "./in-process.ts";
import type { OpenHoldsFigures } from "./open-holds.ts";
import type { PollScalingFigures } from "./poller-scaling.ts";
import type { ReservationFigures } from "./reservations-http.ts";
import type { BenchSettings } from "./settings.ts";
import type { SpendReportFigures } from "./spend-report.ts";

/** Everything one run measured: the content of bench/results.json. */
export interface BenchFigures {
  /** One side-by-side comparison per concurrency level, ascending. */
  checks: ChecksFigures[];
  reservations: ReservationFigures;
  inProcess: InProcessFigures;
  coldStart: ColdStartFigures;
  dynamodbCalls: OperationCalls[];
  /** Reserve latency and consumed capacity at each number of open holds, ascending. */
  openHolds: OpenHoldsFigures[];
  /** Each operation with and without a budget, at each number of budgets and holds present, ascending. */
  budgetCosts: BudgetCostFigure[];
  /** The spend report over each number of ledger entries, and what the ledger entry adds to a commit. */
  spendReport: SpendReportFigures;
  pollerScaling: PollScalingFigures;
  /** The in-process and cold-start figures again on the Lambda runtime's Node major, when it was available. */
  lambdaRuntime?: { node: string; inProcess: InProcessFigures; coldStart: ColdStartFigures };
}

export interface Machine {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  platform: string;
  arch: string;
  /** 1-minute load average when the run started: other work on the machine skews every figure. */
  loadAverageAtStart: number;
}

export interface TargetResult {
  target: string;
  measured: string;
  met: boolean;
}

export interface BenchResults {
  generatedAt: string;
  command: string;
  node: string;
  machine: Machine;
  settings: Omit<BenchSettings, "resultsPath">;
  figures: BenchFigures;
  targets: TargetResult[];
  elapsedSeconds: number;
}
