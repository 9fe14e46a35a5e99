import {
  type AccountSummary,
  NotFoundError,
  type QuotaGuardClient,
  type QuotaGuardError,
} from "@heygen-quota-guard/client";
import type { Command } from "commander";
import { EXIT, type ExitCode } from "./exit-codes.ts";
import { describeFailure } from "./failure.ts";
import { money } from "./human.ts";

/**
 * `quota-guard doctor`: after a deploy (docs/deploy.md), checks over the API what can be checked — the API
 * answers, each account's HeyGen key reads a balance, a balance is recorded, the webhook secret is set — and
 * says how to check what the API cannot see (the alert topic's confirmed subscribers). Optionally sends a
 * test alert. One new command; the rest of the CLI is untouched.
 */

export type CheckStatus = "pass" | "fail" | "skip";

/** One line of the checklist; `fix` says what to do when it failed or was skipped. */
export interface DoctorCheck {
  check: "api" | "key" | "balance" | "webhook-secret" | "alert-subscription" | "test-alert";
  account?: string;
  status: CheckStatus;
  detail: string;
  fix?: string;
}

export interface DoctorReport {
  /** True when no check failed (skipped ones do not count). */
  ok: boolean;
  url: string;
  checks: DoctorCheck[];
}

export interface DoctorOptions {
  /** Check only this account (default: every configured one). */
  account?: string;
  /** Also send a marked test alert through SNS (to `account`, else the first account). */
  testAlert?: boolean;
}

/** HeyGen failure codes (lambdas/heygen/errors.ts) that mean the key itself is wrong or missing. */
const KEY_CODES = new Set(["invalid_key", "forbidden"]);

const PUT_KEY = (account: string) =>
  `aws secretsmanager put-secret-value --secret-id quota-guard/heygen/${account} --secret-string "$HEYGEN_API_KEY" ` +
  "(the secret name is in the stack's SecretNames output); the next poll reads it";

/**
 * Runs the checklist against `client`. Never throws for a failing check: each failure is a `fail` line. The
 * API check's failure (unreachable, unsigned) skips the rest, which cannot be asked; its exit code is kept
 * in `apiFailure` so that scripts tell "down" (4) and "not allowed" (3) from "not set up" (1).
 */
export async function diagnose(
  client: QuotaGuardClient,
  options: DoctorOptions = {},
): Promise<DoctorReport & { apiFailure?: ExitCode }> {
  const checks: DoctorCheck[] = [];
  const done = (apiFailure?: ExitCode) => ({
    ok: !checks.some((c) => c.status === "fail"),
    url: client.url,
    checks,
    ...(apiFailure === undefined ? {} : { apiFailure }),
  });

  let accounts: AccountSummary[];
  try {
    const health = await client.health();
    accounts = await client.accounts();
    checks.push({
      check: "api",
      status: "pass",
      detail: `answers at ${client.url} (version ${health.version})`,
    });
  } catch (error) {
    const { code, problem } = describeFailure(error);
    checks.push({
      check: "api",
      status: "fail",
      detail: `${problem.title}${problem.detail ? `: ${problem.detail}` : ""}`,
      fix:
        code === EXIT.auth
          ? "sign the requests: an execute-api URL is signed by itself (AWS credentials from env, --profile, SSO or a role), a custom domain needs --sign --region"
          : "is the URL right (--url or QUOTA_GUARD_URL: the stack's ApiUrl output), and is the stack deployed?",
    });
    return done(code);
  }

  const chosen = options.account ? accounts.filter((a) => a.accountId === options.account) : accounts;
  if (options.account && chosen.length === 0) {
    checks.push({
      check: "key",
      account: options.account,
      status: "fail",
      detail: `no such account; configured: ${accounts.map((a) => a.accountId).join(", ")}`,
      fix: "name a configured account (accounts[].id in the config)",
    });
  }
  for (const account of chosen) checks.push(keyCheck(account), balanceCheck(account));

  checks.push(await webhookCheck(client));
  checks.push({
    check: "alert-subscription",
    status: "skip",
    detail: "cannot be checked over the API (the API has no SNS read permission)",
    fix:
      "aws sns list-subscriptions-by-topic --topic-arn TOPIC_ARN (the stack's TopicArn output): every email " +
      'subscription needs a real SubscriptionArn, not "PendingConfirmation"; follow the link in the ' +
      '"AWS Notification - Subscription Confirmation" email',
  });

  if (options.testAlert) checks.push(await testAlertCheck(client, chosen[0]?.accountId));
  return done();
}

/** The key is readable: the last reading succeeded, or failed for a reason other than the key. */
function keyCheck(account: AccountSummary): DoctorCheck {
  const base = { check: "key" as const, account: account.accountId };
  const failure = account.lastFailure;
  const failing = account.consecutiveFailures > 0 && failure;
  if (failing && KEY_CODES.has(failure.code)) {
    return {
      ...base,
      status: "fail",
      detail: `HeyGen refused the key (${failure.code}: ${failure.message}) at ${failure.at}`,
      fix: PUT_KEY(account.accountId),
    };
  }
  if (failing) {
    return {
      ...base,
      status: "fail",
      detail: `the last ${account.consecutiveFailures} reading(s) failed (${failure.code}: ${failure.message}); the key was not refused`,
      fix: "HeyGen could not be read: see the Troubleshooting row for this code (README); the monitor recovers by itself when HeyGen answers",
    };
  }
  if (!account.latest) {
    return {
      ...base,
      status: "fail",
      detail: "never read yet",
      fix: "wait for the first scheduled poll (config `schedule`), or read now: POST /v1/accounts/ID/refresh",
    };
  }
  return { ...base, status: "pass", detail: "the last reading succeeded" };
}

/** A balance is recorded, so checks and reservations have something to decide on. */
function balanceCheck(account: AccountSummary): DoctorCheck {
  const base = { check: "balance" as const, account: account.accountId };
  if (!account.latest || account.remaining === null) {
    return {
      ...base,
      status: "fail",
      detail: "no balance recorded: checks answer decision unknown and reservations 409 balance-unknown",
      fix: PUT_KEY(account.accountId),
    };
  }
  const age =
    account.balanceAgeSeconds === null ? "" : `, read ${Math.round(account.balanceAgeSeconds)} s ago`;
  return {
    ...base,
    status: "pass",
    detail: `${money(account.remaining, account.unit)} remaining, ${money(account.available, account.unit)} available${age} (level ${account.alertLevel})`,
  };
}

async function webhookCheck(client: QuotaGuardClient): Promise<DoctorCheck> {
  const base = { check: "webhook-secret" as const };
  try {
    const status = await client.webhookStatus();
    if (status.secretSet) {
      return {
        ...base,
        status: "pass",
        detail: `set (${status.secrets} secret${status.secrets === 1 ? "" : "s"} verify deliveries)`,
      };
    }
    return {
      ...base,
      status: "fail",
      detail: status.readError
        ? `could not be read: ${status.readError}`
        : "still the deploy's placeholder: every HeyGen delivery answers 401",
      fix:
        "register the endpoint with HeyGen (POST https://api.heygen.com/v3/webhooks/endpoints) and put the " +
        'secret it answers: aws secretsmanager put-secret-value --secret-id quota-guard/heygen-webhook --secret-string "$WHSEC"',
    };
  } catch (error) {
    if (error instanceof NotFoundError) {
      return {
        ...base,
        status: "skip",
        detail: "this API version has no GET /v1/webhooks/heygen/status",
        fix: "deploy this release, or send a test delivery and read GET /v1/accounts/ID/events",
      };
    }
    return { ...base, status: "fail", detail: failureText(error) };
  }
}

async function testAlertCheck(client: QuotaGuardClient, account: string | undefined): Promise<DoctorCheck> {
  const base = { check: "test-alert" as const, ...(account ? { account } : {}) };
  try {
    const alert = await client.testAlert(account);
    if (alert.status === "failed") {
      return {
        ...base,
        status: "fail",
        detail: `SNS refused it: ${alert.error ?? "no reason given"}`,
        fix: "check the alerts topic and its KMS key policy (docs/deploy.md)",
      };
    }
    return {
      ...base,
      status: "pass",
      detail: `sent "${alert.subject}" (severity ${alert.severity}); look for it in every email, SMS and chat channel`,
    };
  } catch (error) {
    return { ...base, status: "fail", detail: failureText(error) };
  }
}

function failureText(error: unknown): string {
  const { problem } = describeFailure(error as QuotaGuardError);
  return `${problem.title}${problem.detail ? `: ${problem.detail}` : ""}`;
}

const MARK: Record<CheckStatus, string> = { pass: "PASS", fail: "FAIL", skip: "SKIP" };

/** The checklist for a terminal: one line per check, the fix indented under a failed or skipped one. */
export function renderDoctor(report: DoctorReport): string {
  const lines = report.checks.map((c) => {
    const name = c.account ? `${c.check} (${c.account})` : c.check;
    const fix =
      c.fix && c.status !== "pass" ? `\n      ${c.status === "skip" ? "to check" : "fix"}: ${c.fix}` : "";
    return `${MARK[c.status]}  ${name}: ${c.detail}${fix}`;
  });
  const failed = report.checks.filter((c) => c.status === "fail").length;
  lines.push(
    "",
    failed === 0 ? `All checks passed at ${report.url}.` : `${failed} check(s) failed at ${report.url}.`,
  );
  return lines.join("\n");
}

/**
 * Registers `doctor` on the program. `clientFor` and `emit` are main.ts's, so the command signs, prints
 * (JSON or --human) and sets the exit code as every other command does: 0 when no check failed, 1 when one
 * did, and the API's own failure code (3 unsigned, 4 unreachable) when the API could not be asked.
 */
export function registerDoctor(
  program: Command,
  clientFor: (command: Command) => QuotaGuardClient,
  emit: (value: DoctorReport, render: (value: DoctorReport) => string, code: ExitCode) => void,
): void {
  program
    .command("doctor")
    .description(
      "after a deploy: the API answers, each key reads a balance, the webhook secret is set; exit 1 if a check fails",
    )
    .option("--account <id>", "check only this account (default: every one)")
    .option(
      "--test-alert",
      "also send a marked test alert through SNS (to --account, else the first account)",
    )
    .action(async (flags: { account?: string; testAlert?: boolean }, command: Command) => {
      const { apiFailure, ...report } = await diagnose(clientFor(command), {
        ...(flags.account ? { account: flags.account } : {}),
        ...(flags.testAlert ? { testAlert: true } : {}),
      });
      emit(report, renderDoctor, apiFailure ?? (report.ok ? EXIT.ok : EXIT.no));
    });
}
