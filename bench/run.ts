/**
 * `npm run bench`: the guard measured side by side with the HeyGen quota guide's check-then-spend flow.
 * Prints one table and the ratios, writes bench/results.json. Settings: see settings.ts (`--help`).
 */
import { parseConfig } from "#config/config";
import { type LocalStackOptions, startLocalStack } from "#local/stack";
import { measureBudgetCosts } from "./budget-costs.ts";
import { measureChecks } from "./checks-http.ts";
import { measureColdStarts } from "./cold-start.ts";
import { measureDynamoDbCalls } from "./dynamodb-calls.ts";
import { measureInProcess, measureInProcessOn } from "./in-process.ts";
import { resolveLambdaNode } from "./lambda-node.ts";
import { measureOpenHolds } from "./open-holds.ts";
import { measurePollerScaling, pollBenchAccounts } from "./poller-scaling.ts";
import { describeMachine, renderBundles, renderRatios, renderTable, writeResults } from "./report.ts";
import { measureReservations } from "./reservations-http.ts";
import type { BenchFigures, BenchResults } from "./results.ts";
import { runIfMain } from "./script.ts";
import { type BenchSettings, parseBenchSettings, settingsHelp } from "./settings.ts";
import { measureSpend } from "./spend-report.ts";
import { judgeTargets } from "./targets.ts";

const CHECK_ACCOUNT = "default";
/** Its own account, so that its 10,000 open holds leave the other phases' balance alone. */
const OPEN_HOLDS_ACCOUNT = "holds";

/** `stackOptions` go to the local stack (the smoke test passes the test run's DynamoDB Local). */
export async function runBench(
  settings: BenchSettings,
  progress: (message: string) => void = () => {},
  stackOptions: Pick<LocalStackOptions, "dynamoEndpoint"> = {},
): Promise<BenchResults> {
  const started = process.hrtime.bigint();
  const machine = describeMachine();
  progress("in-process estimate and check");
  const inProcess = await measureInProcess(settings.inProcessIterations);
  progress("cold start: bundling the three Lambdas and importing them");
  const coldStart = await measureColdStarts(settings.coldStartRuns);
  const lambdaNode = resolveLambdaNode(settings.lambdaNode, progress);
  let lambdaRuntime: BenchFigures["lambdaRuntime"];
  if (lambdaNode) {
    progress(`in-process and cold start again on the Lambda runtime's Node (${lambdaNode.version})`);
    lambdaRuntime = {
      node: lambdaNode.version,
      inProcess: measureInProcessOn(lambdaNode.path, settings.inProcessIterations),
      coldStart: await measureColdStarts(settings.coldStartRuns, lambdaNode.path),
    };
  }

  const config = benchConfig(settings.pollAccountCounts.at(-1) ?? 0);
  progress("starting the local stack (DynamoDB Local, fauxqs, HeyGen sandbox)");
  // An empty env: every account is served by the sandbox, even when HEYGEN_API_KEY is set in the shell.
  const stack = await startLocalStack({
    ...stackOptions,
    config,
    env: {},
    sandboxLatencyMs: settings.heygenLatencyMs,
  });
  let figures: BenchFigures;
  try {
    progress("DynamoDB calls per operation");
    const dynamodbCalls = await measureDynamoDbCalls(stack, CHECK_ACCOUNT);
    progress("checks over HTTP: guard, then the guide's baseline");
    const checks = [];
    for (const connections of settings.connections) {
      checks.push(
        await measureChecks(stack, CHECK_ACCOUNT, { connections, durationSeconds: settings.durationSeconds }),
      );
    }
    progress("reserve + commit pairs");
    const reservations = await measureReservations(stack, CHECK_ACCOUNT, {
      clients: settings.reservationClients,
      durationSeconds: settings.durationSeconds,
    });
    progress(`reserve latency and consumed capacity at ${settings.openHoldLevels.join(", ")} open holds`);
    const openHolds = await measureOpenHolds(stack, OPEN_HOLDS_ACCOUNT, settings.openHoldLevels);
    progress(`operations with and without a budget at ${settings.budgetLevels.join(", ")} budgets and holds`);
    const budgetCosts = await measureBudgetCosts(stack, settings.budgetLevels);
    progress(
      `spend report over ${settings.spendEntryLevels.join(", ")} ledger entries, and a commit's entry`,
    );
    const spendReport = await measureSpend(stack, settings.spendEntryLevels);
    progress("poller scaling");
    const pollerScaling = await measurePollerScaling(
      stack,
      config.accounts.filter((a) => a.id !== CHECK_ACCOUNT && a.id !== OPEN_HOLDS_ACCOUNT),
      settings.pollAccountCounts,
      settings.heygenLatencyMs,
    );
    figures = {
      checks,
      reservations,
      inProcess,
      coldStart,
      dynamodbCalls,
      openHolds,
      budgetCosts,
      spendReport,
      pollerScaling,
      ...(lambdaRuntime ? { lambdaRuntime } : {}),
    };
  } finally {
    await stack.stop();
  }

  const { resultsPath: _path, ...reported } = settings;
  return {
    generatedAt: new Date().toISOString(),
    command: "npm run bench",
    node: process.version,
    machine,
    settings: reported,
    figures,
    targets: judgeTargets(figures),
    elapsedSeconds: Number(process.hrtime.bigint() - started) / 1e9,
  };
}

/** The account the checks use, plus `pollAccounts` more for the poller scaling phase. */
function benchConfig(pollAccounts: number) {
  return parseConfig(
    { accounts: [{ id: CHECK_ACCOUNT }, { id: OPEN_HOLDS_ACCOUNT }, ...pollBenchAccounts(pollAccounts)] },
    "bench config",
  );
}

async function main() {
  if (process.argv.includes("--help")) {
    console.log(`npm run bench -- [--flag=value ...]\n${settingsHelp()}`);
    return;
  }
  const settings = parseBenchSettings();
  const results = await runBench(settings, (message) => console.error(`bench: ${message}…`));
  writeResults(settings.resultsPath, results);
  console.log(renderTable(results));
  console.log(`\n${renderRatios(results)}`);
  console.log(`\n${renderBundles(results.figures.coldStart)}`);
  console.log(
    `\n${results.machine.cpuModel}, ${results.machine.cores} cores, Node ${results.node}, ` +
      `load average ${results.machine.loadAverageAtStart} at start; ${results.elapsedSeconds.toFixed(0)} s. ` +
      `Written to ${settings.resultsPath}`,
  );
}

runIfMain(import.meta.url, main);
