import type { QuotaGuardClient, SpendQuery } from "@heygen-quota-guard/client";
import { type Command, InvalidArgumentError } from "commander";
import { spendBars } from "./chart.ts";
import type { ExitCode } from "./exit-codes.ts";
import { UsageError } from "./failure.ts";
import { renderSpend } from "./human.ts";
import { timeArg } from "./time-arg.ts";

type Emit = <T>(value: T, render: (value: T) => string, code?: ExitCode) => void;

/**
 * The report's groupings (`GET /v1/accounts/{id}/spend`, docs/spend.md) other than `label:<key>`. The CLI
 * cannot import lambdas/core, so test/unit/cli/cli-words.test.ts holds this list to core's SPEND_GROUPINGS.
 */
export const SPEND_GROUPINGS = ["budget", "principal", "jobType", "day", "week", "month"] as const;
/** A label key as the API allows it (lambdas/core/labels.ts). */
const LABEL_KEY = /^[a-z][a-z0-9_.-]{0,39}$/;

/**
 * `--by`: `label:<key>` or one of SPEND_GROUPINGS, checked before any request so that a typo is a usage
 * error naming `--by` (exit 2), as the API's 400 would name `/query/groupBy`.
 */
export function groupByArg(value: string): string {
  if (value.startsWith("label:") && LABEL_KEY.test(value.slice("label:".length))) return value;
  if ((SPEND_GROUPINGS as readonly string[]).includes(value)) return value;
  throw new InvalidArgumentError(
    `use label:<key> (a key matching [a-z][a-z0-9_.-]{0,39}) or one of ${SPEND_GROUPINGS.join(", ")}`,
  );
}

interface SpendFlags {
  by: string;
  since?: string;
  until?: string;
  chart?: boolean;
  csv?: boolean;
}

/**
 * `quota-guard spend [account]`: the spend report as JSON (or a table with --human, bars with --chart, the
 * API's CSV with --csv). `--since`/`--until` become the report's `from`/`to`; without them the API's
 * default, the 30 days to now.
 */
export function registerSpend(
  program: Command,
  clientFor: (command: Command) => QuotaGuardClient,
  emit: Emit,
): void {
  program
    .command("spend [account]")
    .description("committed spend summed by label, budget, principal, job type or UTC day, week or month")
    .option("--by <grouping>", `label:<key> | ${SPEND_GROUPINGS.join(" | ")}`, groupByArg, "day")
    .option(
      "--since <when>",
      "from this time: an age (24h, 30d: that long ago) or ISO 8601 (default 30d)",
      timeArg,
    )
    .option(
      "--until <when>",
      "up to this time, excluded: an age (1h: that long ago) or ISO 8601 (default now)",
      timeArg,
    )
    .option("--chart", "draw the groups as horizontal bars")
    .option("--csv", "print the API's CSV (header key,amount,count,unit)")
    .action(async (account: string | undefined, flags: SpendFlags, command: Command) => {
      const client = clientFor(command);
      const query: SpendQuery = {
        groupBy: flags.by,
        ...(flags.since ? { from: flags.since } : {}),
        ...(flags.until ? { to: flags.until } : {}),
      };
      if (flags.csv && (flags.chart || process.argv.includes("--human"))) {
        throw new UsageError("--csv prints the API's CSV as it is: leave out --human and --chart");
      }
      if (flags.csv) {
        process.stdout.write(await client.spend(account, query, "csv"));
        return;
      }
      const report = await client.spend(account, query);
      if (flags.chart) {
        process.stdout.write(`${spendBars(report)}\n`);
        return;
      }
      emit(report, renderSpend);
    });
}
