/**
 * `quota-guard`: HeyGen Quota Guard from a shell. JSON on stdout (when piped, or with --json), readable text
 * with --human (or on a terminal), errors on stderr as the API's problem+json, stable exit codes
 * (exit-codes.ts). Built on the typed client (@heygen-quota-guard/client) and commander.
 */
import { DEFAULT_URL, type Problem, QuotaGuardClient } from "@heygen-quota-guard/client";
import { type Command, Option, program } from "commander";
import pkg from "../package.json" with { type: "json" };
import { RESERVATION_STATUSES } from "./api-enums.ts";
import { apiUrl } from "./api-url.ts";
import { balanceChart } from "./chart.ts";
import { registerControls } from "./controls.ts";
import { registerDoctor } from "./doctor.ts";
import { EXIT, type ExitCode } from "./exit-codes.ts";
import { describeFailure } from "./failure.ts";
import {
  renderAccounts,
  renderAlerts,
  renderBalance,
  renderCheck,
  renderEstimate,
  renderHistory,
  renderReservation,
  renderReservations,
} from "./human.ts";
import { type JobFlags, jobRequest, numberArg, withJobFlags } from "./job-spec.ts";
import { LABEL_HELP, labelArg } from "./labels.ts";
import { cliErrors } from "./problem-flags.ts";
import { registerSpend } from "./spend.ts";
import { timeArg } from "./time-arg.ts";

interface GlobalFlags {
  url: string;
  region?: string;
  profile?: string;
  sign?: boolean;
  json?: boolean;
  human?: boolean;
}

const argv = process.argv.slice(2);
/** Readable text on a terminal or with --human; JSON when piped or with --json. Known before parsing, for usage errors. */
const human = argv.includes("--human") || (!argv.includes("--json") && process.stdout.isTTY === true);

function clientFor(command: Command): QuotaGuardClient {
  const flags = command.optsWithGlobals<GlobalFlags>();
  return new QuotaGuardClient({
    url: apiUrl(flags.url),
    ...(flags.region ? { region: flags.region } : {}),
    ...(flags.profile ? { profile: flags.profile } : {}),
    ...(flags.sign ? { sign: true } : {}),
  });
}

/** Prints an answer (JSON, or its readable form) and sets the exit code. */
function emit<T>(value: T, render: (value: T) => string, code: ExitCode = EXIT.ok): void {
  process.stdout.write(`${human ? render(value) : JSON.stringify(value, null, 2)}\n`);
  process.exitCode = code;
}

program
  .name("quota-guard")
  .description(
    "HeyGen Quota Guard from a shell: balances, alerts, estimates, checks and credit reservations.",
  )
  .version(pkg.version)
  .option("--url <url>", "the API (env QUOTA_GUARD_URL)", process.env.QUOTA_GUARD_URL ?? DEFAULT_URL)
  .option("--region <region>", "AWS region for SigV4 (default: from the URL, else AWS_REGION)")
  .option("--profile <profile>", "AWS profile for SigV4 (default: the AWS SDK's credential chain)")
  .option("--sign", "always sign with SigV4 (default: only execute-api URLs are signed)")
  .addOption(new Option("--json", "JSON on stdout (the default when piped)").conflicts("human"))
  .option("--human", "readable text on stdout (the default on a terminal)")
  .showHelpAfterError(false)
  .exitOverride()
  .configureOutput({ outputError: () => undefined })
  .addHelpText(
    "after",
    "\nExit codes: 0 ok or allowed, 1 a no (denied, insufficient balance), 2 usage or validation error,\n" +
      "3 authentication or authorization, 4 unavailable or unreachable.",
  );

program
  .command("accounts")
  .description("every account: level, available, remaining, reserved")
  .action(async (_flags, command: Command) => emit(await clientFor(command).accounts(), renderAccounts));

program
  .command("balance [account]")
  .description("one account's balance, holds, alert level and forecast (default: the only account)")
  .action(async (account: string | undefined, _flags, command: Command) =>
    emit(await clientFor(command).balance(account), renderBalance),
  );

program
  .command("history [account]")
  .description("balance readings, newest first")
  .option("--since <when>", "from this time: 30m, 24h, 7d ago, or ISO 8601", timeArg)
  .option("--until <when>", "up to this ISO 8601 time", timeArg)
  .option("--limit <n>", "at most this many readings (1-1000, default 100)", numberArg)
  .option("--chart", "draw the balance over time")
  .action(
    async (
      account: string | undefined,
      flags: { since?: string; until?: string; limit?: number; chart?: boolean },
      command: Command,
    ) => {
      const { chart, ...query } = flags;
      const snapshots = await clientFor(command).history(account, query);
      if (chart) {
        process.stdout.write(`${balanceChart(account ?? snapshots[0]?.accountId ?? "", snapshots)}\n`);
        return;
      }
      emit(snapshots, renderHistory);
    },
  );

program
  .command("alerts [account]")
  .description("the alert log, newest first")
  .option("--limit <n>", "at most this many alerts (1-1000, default 50)", numberArg)
  .action(async (account: string | undefined, flags: { limit?: number }, command: Command) =>
    emit(await clientFor(command).alerts(account, flags), renderAlerts),
  );

withJobFlags(program.command("estimate").description("the cost of a job from a rate card")).action(
  async (flags: JobFlags, command: Command) =>
    emit(await clientFor(command).estimate(jobRequest(flags)), renderEstimate),
);

withJobFlags(
  program
    .command("check")
    .description("may this job (or --amount) start now? exit 0 if allowed, 1 if not")
    .option(
      "--amount <amount>",
      "may I spend this amount, in the account's unit (instead of job-spec flags)",
      numberArg,
    )
    .option("--budget <id>", "through this budget of the account")
    .option("--label <key=value>", LABEL_HELP, labelArg)
    .option("--account <id>", "the account (default: the only one)"),
).action(
  async (
    flags: JobFlags & { amount?: number; budget?: string; label?: Record<string, string>; account?: string },
    command: Command,
  ) => {
    const answer = await clientFor(command).check({
      ...(flags.amount !== undefined ? { amount: flags.amount } : jobRequest(flags)),
      ...(flags.budget ? { budget: flags.budget } : {}),
      ...(flags.label ? { labels: flags.label } : {}),
      ...(flags.account ? { accountId: flags.account } : {}),
    });
    emit(answer, renderCheck, answer.allowed ? EXIT.ok : EXIT.no);
  },
);

withJobFlags(
  program
    .command("reserve")
    .description("hold credit for a job (--amount, or job-spec flags); exit 1 if it does not fit")
    .option("--amount <amount>", "hold this amount, in the account's unit", numberArg)
    .option("--ttl <seconds>", "how long the hold lasts before it expires", numberArg)
    .option("--idempotency-key <key>", "the same key answers the same hold, never a second one")
    .option("--budget <id>", "through this budget of the account (granted only if both cover it)")
    .option("--label <key=value>", LABEL_HELP, labelArg)
    .option("--account <id>", "the account (default: the only one)"),
).action(
  async (
    flags: JobFlags & {
      amount?: number;
      ttl?: number;
      idempotencyKey?: string;
      budget?: string;
      label?: Record<string, string>;
      account?: string;
    },
    command: Command,
  ) => {
    const what = flags.amount !== undefined ? { amount: flags.amount } : jobRequest(flags);
    const request = {
      ...what,
      ...(flags.ttl !== undefined ? { ttlSeconds: flags.ttl } : {}),
      ...(flags.budget ? { budget: flags.budget } : {}),
      ...(flags.label ? { labels: flags.label } : {}),
      ...(flags.account ? { accountId: flags.account } : {}),
    };
    const options = flags.idempotencyKey ? { idempotencyKey: flags.idempotencyKey } : {};
    emit(await clientFor(command).reserve(request, options), renderReservation);
  },
);

program
  .command("commit <id>")
  .description("end a hold as spent")
  .option(
    "--actual <amount>",
    "what this commit records: the part (with --partial) or the last part; after partial commits, only what " +
      "they did not record (default: the held amount)",
    numberArg,
  )
  .option("--total <amount>", "the job's whole cost: records it minus what is already committed", numberArg)
  .option("--partial", "record --actual as spent and keep the rest held (a partial capture, final: false)")
  .option(
    "--force",
    "record it even past the hold plus what is available (HeyGen really charged it): alerts, and the " +
      "reservation keeps who forced it",
  )
  .action(
    async (
      id: string,
      flags: { actual?: number; total?: number; partial?: boolean; force?: boolean },
      command: Command,
    ) =>
      emit(
        await clientFor(command).commit(id, {
          ...(flags.actual === undefined ? {} : { actualAmount: flags.actual }),
          ...(flags.total === undefined ? {} : { totalAmount: flags.total }),
          ...(flags.partial ? { final: false } : {}),
          ...(flags.force ? { force: true } : {}),
        }),
        renderReservation,
      ),
  );

program
  .command("release <id>")
  .description("return a hold's credit")
  .action(async (id: string, _flags, command: Command) =>
    emit(await clientFor(command).release(id), renderReservation),
  );

program
  .command("extend <id>")
  .description("raise a hold (--amount, the new total) or move its expiry (--ttl); exit 1 if it does not fit")
  .option("--amount <amount>", "the new total to hold", numberArg)
  .option("--ttl <seconds>", "expire this long from now", numberArg)
  .option("--idempotency-key <key>", "the same key answers the same extension")
  .action(
    async (
      id: string,
      flags: { amount?: number; ttl?: number; idempotencyKey?: string },
      command: Command,
    ) => {
      const request = {
        ...(flags.amount !== undefined ? { amount: flags.amount } : {}),
        ...(flags.ttl !== undefined ? { ttlSeconds: flags.ttl } : {}),
      };
      const options = flags.idempotencyKey ? { idempotencyKey: flags.idempotencyKey } : {};
      emit(await clientFor(command).extend(id, request, options), renderReservation);
    },
  );

program
  .command("reservations")
  .description("an account's reservations, newest first")
  .option("--account <id>", "the account (default: the only one)")
  .addOption(new Option("--status <status>", "only these").choices(RESERVATION_STATUSES))
  .option("--limit <n>", "at most this many (1-100, default 20)", numberArg)
  .option("--cursor <cursor>", "the page after the one that printed it")
  .option("--label <key=value>", "only the holds with this label (repeat: all of them)", labelArg)
  .action(
    async (
      flags: {
        account?: string;
        status?: (typeof RESERVATION_STATUSES)[number];
        limit?: number;
        cursor?: string;
        label?: Record<string, string>;
      },
      command: Command,
    ) => {
      const { account, label, ...rest } = flags;
      const query = {
        ...rest,
        ...(account ? { accountId: account } : {}),
        ...(label ? { labels: label } : {}),
      };
      emit(await clientFor(command).reservations(query), renderReservations);
    },
  );

program
  .command("reservation <id>")
  .description("one reservation")
  .action(async (id: string, _flags, command: Command) =>
    emit(await clientFor(command).reservation(id), renderReservation),
  );

registerDoctor(program, clientFor, emit);
registerControls(program, clientFor, emit);
registerSpend(program, clientFor, emit);

/** The command that ran (set before its action), so that a refusal can name that command's flags. */
let ran: Command | undefined;
program.hook("preAction", (_program, actionCommand) => {
  ran = actionCommand;
});

/**
 * A failure for people: the problem's title, its detail unless it only repeats the invalid fields, each
 * invalid field once, named by its flag, and what to do about a refusal.
 */
function humanFailure(problem: Problem, code: ExitCode): string {
  const { detail, errors } = cliErrors(problem, ran);
  const headline = detail && detail !== problem.title ? `${problem.title}: ${detail}` : problem.title;
  const fields = errors.map((e) => `\n  ${e.flag}: ${e.detail}`).join("");
  const hint =
    code === EXIT.auth
      ? "\n  Requests to Quota Guard in AWS are signed with SigV4: an execute-api URL is signed by itself, any other with --sign; credentials come from the AWS SDK's chain (env, --profile, SSO, role)."
      : "";
  return `quota-guard: ${headline}${fields}${hint}\n`;
}

/** The problem as JSON, as the API sent it, with each invalid field's flag added (`errors[].flag`) for scripts. */
function jsonFailure(problem: Problem): string {
  if (!problem.errors?.length) return `${JSON.stringify(problem)}\n`;
  const { errors } = cliErrors(problem, ran);
  const named = problem.errors.map((e, i) => ({ ...e, flag: errors[i]?.flag }));
  return `${JSON.stringify({ ...problem, errors: named })}\n`;
}

try {
  await program.parseAsync();
} catch (error) {
  const helpOrVersion =
    error instanceof Error &&
    "code" in error &&
    ["commander.helpDisplayed", "commander.version", "commander.help"].includes(String(error.code));
  if (helpOrVersion) {
    process.exitCode = EXIT.ok;
  } else {
    const { code, problem } = describeFailure(error);
    process.stderr.write(human ? humanFailure(problem, code) : jsonFailure(problem));
    process.exitCode = code;
  }
}
