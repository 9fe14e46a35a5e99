import type { BudgetRequest, QuotaGuardClient } from "@heygen-quota-guard/client";
import { type Command, InvalidArgumentError } from "commander";
import type { ExitCode } from "./exit-codes.ts";
import { renderAudit, renderBudget, renderBudgets, renderPause } from "./human.ts";
import { numberArg } from "./job-spec.ts";

type Emit = <T>(value: T, render: (value: T) => string, code?: ExitCode) => void;

const PERIODS = ["hour", "day", "week", "month", "total"] as const;

function periodArg(value: string): BudgetRequest["period"] {
  if (!(PERIODS as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`use one of ${PERIODS.join(", ")}`);
  }
  return value as BudgetRequest["period"];
}

/** `70,90`: the warning and critical percentages; the API checks their range and order. */
function alertPercentsArg(value: string): { warning: number; critical: number } {
  const parts = value.split(",").map((part) => Number(part.trim()));
  const [warning, critical] = parts;
  if (parts.length !== 2 || warning === undefined || critical === undefined || parts.some(Number.isNaN)) {
    throw new InvalidArgumentError("give two percentages, warning,critical (e.g. 70,90)");
  }
  return { warning, critical };
}

interface BudgetFlags {
  limit: number;
  period: BudgetRequest["period"];
  timeZone?: string;
  soft?: boolean;
  maxPerJob?: number;
  slots?: number;
  alertPercents?: { warning: number; critical: number };
  account?: string;
}

/**
 * What a team sets on an account (docs/budgets.md): `budgets`, `budget set|show|delete`, `pause`, `resume`
 * and `audit`. Each prints the API's answer (JSON, or a readable form with --human).
 */
export function registerControls(
  program: Command,
  clientFor: (command: Command) => QuotaGuardClient,
  emit: Emit,
): void {
  program
    .command("budgets [account]")
    .description("an account's budgets: limit, committed, held and available this period, slots in use")
    .action(async (account: string | undefined, _flags, command: Command) =>
      emit(await clientFor(command).budgets(account), renderBudgets),
    );

  const budget = program.command("budget").description("set, show or delete one budget");
  budget
    .command("set <budgetId>")
    .description("create a budget or change its settings (what it has used this period is kept)")
    .requiredOption("--limit <amount>", "what holds and commits may use per period", numberArg)
    .requiredOption("--period <period>", PERIODS.join(" | "), periodArg)
    .option("--time-zone <zone>", "the IANA time zone whose calendar the periods follow (default UTC)")
    .option("--soft", "grant past the limit (and alert) instead of refusing")
    .option("--max-per-job <amount>", "the largest single hold", numberArg)
    .option("--slots <n>", "how many holds may be open at once", numberArg)
    .option("--alert-percents <warning,critical>", "its alert percentages (default 80,95)", alertPercentsArg)
    .option("--account <id>", "the account (default: the only one)")
    .action(async (budgetId: string, flags: BudgetFlags, command: Command) => {
      const settings: BudgetRequest = {
        limit: flags.limit,
        period: flags.period,
        ...(flags.timeZone ? { timeZone: flags.timeZone } : {}),
        ...(flags.soft ? { mode: "soft" as const } : {}),
        ...(flags.maxPerJob !== undefined ? { maxPerJob: flags.maxPerJob } : {}),
        ...(flags.slots !== undefined ? { maxConcurrentHolds: flags.slots } : {}),
        ...(flags.alertPercents ? { alertPercents: flags.alertPercents } : {}),
      };
      const { budget: set } = await clientFor(command).setBudget(budgetId, settings, flags.account);
      emit(set, renderBudget);
    });
  budget
    .command("show <budgetId>")
    .description("one budget and what it has used this period")
    .option("--account <id>", "the account (default: the only one)")
    .action(async (budgetId: string, flags: { account?: string }, command: Command) =>
      emit(await clientFor(command).budget(budgetId, flags.account), renderBudget),
    );
  budget
    .command("delete <budgetId>")
    .description("delete a budget with no open hold")
    .option("--account <id>", "the account (default: the only one)")
    .action(async (budgetId: string, flags: { account?: string }, command: Command) => {
      await clientFor(command).deleteBudget(budgetId, flags.account);
      emit({ deleted: budgetId }, () => `deleted budget ${budgetId}`);
    });

  program
    .command("pause [account]")
    .description("the kill switch: checks deny and reserves are refused until `resume`")
    .requiredOption("--reason <text>", "why (shown in every denial)")
    .option("--budget <budgetId>", "pause only this budget (the account and its other budgets go on)")
    .action(
      async (account: string | undefined, flags: { reason: string; budget?: string }, command: Command) => {
        const client = clientFor(command);
        if (flags.budget === undefined) return emit(await client.pause(flags.reason, account), renderPause);
        emit(await client.pauseBudget(flags.budget, flags.reason, account), renderBudget);
      },
    );
  program
    .command("resume [account]")
    .description("turn the kill switch off")
    .option("--budget <budgetId>", "resume only this budget")
    .action(async (account: string | undefined, flags: { budget?: string }, command: Command) => {
      const client = clientFor(command);
      if (flags.budget === undefined) return emit(await client.resume(account), renderPause);
      emit(await client.resumeBudget(flags.budget, account), renderBudget);
    });
  program
    .command("audit [account]")
    .description("who changed what: budget changes, pauses and resumes, newest first")
    .option("--limit <n>", "at most this many (1–1000, default 50)", numberArg)
    .option("--cursor <cursor>", "the next page (printed after a full page)")
    .action(
      async (account: string | undefined, flags: { limit?: number; cursor?: string }, command: Command) =>
        emit(
          await clientFor(command).audit(account, {
            ...(flags.limit !== undefined ? { limit: flags.limit } : {}),
            ...(flags.cursor ? { cursor: flags.cursor } : {}),
          }),
          renderAudit,
        ),
    );
}
