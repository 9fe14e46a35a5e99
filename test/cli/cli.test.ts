import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "#local/free-port";
import type { LocalStack } from "#local/stack";
import { sandboxKeyOf, sandboxOf, startOneAccountStack } from "#test/support/e2e";

/** The `quota-guard` command, run as a process against the real local stack, in JSON and human form. */

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const BIN = join(ROOT, "packages/cli/bin/quota-guard.js");
const ACCOUNT = "cli";
let stack: LocalStack;
let dir: string;
let readCredits: (balance: number, tick?: string) => Promise<void>;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { cwd: ROOT, env: { ...process.env, QUOTA_GUARD_URL: stack.url, ...env } },
      (error, stdout, stderr) => {
        const code = error ? Number((error as { code?: number }).code ?? 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const cli = (...args: string[]) => run(process.execPath, [BIN, ...args]);
const json = <T = Record<string, unknown>>(r: Run) => JSON.parse(r.stdout) as T;
const problem = (r: Run) =>
  JSON.parse(r.stderr) as Record<string, unknown> & { status: number; type: string };

beforeAll(async () => {
  ({ stack, readCredits } = await startOneAccountStack(ACCOUNT));
  // 40 credits: under the warning threshold (50), so the first poll logs an alert; then 38.
  await readCredits(40, new Date(Date.now() - 120_000).toISOString());
  await readCredits(38);
  dir = await mkdtemp(join(tmpdir(), "quota-guard-cli-"));
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("help", () => {
  it("`npx quota-guard --help` works in the checkout and lists the commands and exit codes", async () => {
    const help = await run("npx", ["--no-install", "quota-guard", "--help"]);
    expect(help.code).toBe(0);
    for (const command of ["accounts", "balance", "history", "alerts", "estimate", "check", "reserve"]) {
      expect(help.stdout).toContain(command);
    }
    expect(help.stdout).toContain("Exit codes");
  });
});

describe("reading commands, JSON and human", () => {
  it("accounts", async () => {
    const out = await cli("accounts");
    expect(out.code).toBe(0);
    expect(json<{ accountId: string }[]>(out).map((a) => a.accountId)).toEqual([ACCOUNT]);
    const text = await cli("accounts", "--human");
    expect(text.stdout).toMatch(/^account\s+level\s+available/);
    expect(text.stdout).toMatch(/cli\s+warning\s+38 credits/);
  });

  it("balance [account]: the only account by default; an unknown one exits 2 with the API's problem", async () => {
    const out = await cli("balance");
    expect(out.code).toBe(0);
    expect(json(out)).toMatchObject({
      accountId: ACCOUNT,
      remaining: 38,
      unit: "credits",
      alertLevel: "warning",
    });
    const text = await cli("balance", ACCOUNT, "--human");
    expect(text.stdout).toMatch(/available:\s+38 credits/);
    expect(text.stdout).toMatch(/level:\s+warning/);

    const unknown = await cli("balance", "nobody");
    expect(unknown).toMatchObject({ code: 2, stdout: "" });
    expect(problem(unknown)).toMatchObject({ status: 404, type: expect.stringMatching(/not-found$/) });
  });

  it("history, with --since and --chart", async () => {
    const out = await cli("history", "--since", "1h");
    expect(out.code).toBe(0);
    expect(json<{ remaining: number }[]>(out).map((s) => s.remaining)).toEqual([38, 40]);
    const text = await cli("history", ACCOUNT, "--human", "--limit", "1");
    expect(text.stdout).toMatch(/^observed\s+remaining/);
    expect(text.stdout.trim().split("\n")).toHaveLength(2);

    const chart = await cli("history", "--chart");
    expect(chart.code).toBe(0);
    expect(chart.stdout).toContain("cli: remaining credits");
    expect(chart.stdout).toMatch(/ 40\.00 [┤┼]/);
    expect(chart.stdout).toMatch(/ 38\.00 [┤┼]/);

    const bad = await cli("history", "--since", "yesterday");
    expect(bad.code).toBe(2);
    expect(problem(bad).detail).toContain("--since");
  });

  it("alerts", async () => {
    const out = await cli("alerts", ACCOUNT);
    expect(out.code).toBe(0);
    expect(json<{ alertType: string; level: string }[]>(out)[0]).toMatchObject({
      alertType: "low_balance",
      level: "warning",
    });
    const text = await cli("alerts", "--human");
    expect(text.stdout).toMatch(/warning\s+low_balance\s+warning\s+sent/);
  });
});

describe("estimate and check", () => {
  it("estimate from flags, a script file or a spec file", async () => {
    const out = await cli(
      "estimate",
      "--duration",
      "60",
      "--engine",
      "photo_avatar",
      "--rate-card",
      "heygen-api-credits-2025",
    );
    expect(out.code).toBe(0);
    expect(json(out)).toMatchObject({ rateCard: "heygen-api-credits-2025", total: 1 });

    const script = join(dir, "script.txt");
    await writeFile(script, "word ".repeat(150)); // a minute at 150 words per minute
    const fromScript = await cli(
      "estimate",
      "--script-file",
      script,
      "--rate-card",
      "heygen-api-credits-2025",
    );
    expect(json(fromScript)).toMatchObject({ total: 6 });

    const spec = join(dir, "spec.json");
    await writeFile(spec, JSON.stringify({ jobs: [{ durationSeconds: 30, count: 2 }] }));
    const text = await cli("estimate", "--spec", spec, "--rate-card", "heygen-payg-2026", "--human");
    expect(text.stdout).toMatch(/^\$3\.00 \(rate card heygen-payg-2026\)/);
  });

  it("an allowed check exits 0; a denied one exits 1 and still prints the answer", async () => {
    const allowed = await cli("check", "--duration", "60");
    expect(allowed.code).toBe(0);
    expect(json(allowed)).toMatchObject({ allowed: true, decision: "allow", required: 6 });

    const denied = await cli("check", "--duration", "600");
    expect(denied.code).toBe(1);
    expect(json(denied)).toMatchObject({ allowed: false, decision: "deny", required: 60 });
    expect(denied.stderr).toBe("");

    const text = await cli("check", "--duration", "600", "--human");
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^DENIED: 60 credits is more than the available 38 credits/);
    expect(text.stdout).toMatch(/shortfall:\s+22 credits/);
  });

  it("usage and validation errors exit 2: bad flags before any request, bad fields with the API's pointer", async () => {
    const notANumber = await cli("check", "--duration", "ninety");
    expect(notANumber.code).toBe(2);
    expect(problem(notANumber).detail).toContain("--duration");

    const unknownCommand = await cli("render");
    expect(unknownCommand.code).toBe(2);

    const badEngine = await cli("estimate", "--duration", "60", "--engine", "hologram");
    expect(badEngine.code).toBe(2);
    expect(problem(badEngine)).toMatchObject({ status: 400, errors: [{ pointer: "/engine" }] });

    const human = await cli("estimate", "--duration", "-5", "--human");
    expect(human.code).toBe(2);
    expect(human.stderr).toBe(
      "quota-guard: Invalid request\n  --duration: Too small: expected number to be >0\n",
    );
  });

  it("a missing --duration names --duration, once; JSON keeps the API's pointer and adds the flag", async () => {
    const human = await cli("check", "--human");
    expect(human.code).toBe(2);
    expect(human.stderr).toMatch(
      /^quota-guard: Invalid request\n {2}--duration: .* is required for type avatar_video\n$/,
    );
    expect(human.stderr).not.toContain("durationSeconds");
    expect(human.stderr.split("is required")).toHaveLength(2);

    const out = await cli("check");
    expect(out.code).toBe(2);
    expect(problem(out).errors).toEqual([
      { pointer: "/durationSeconds", flag: "--duration", detail: expect.stringContaining("is required") },
    ]);
  });

  it("a field of the --spec file keeps its pointer and says it is in --spec; an argument is named as in the help", async () => {
    const spec = join(dir, "bad-spec.json");
    await writeFile(spec, JSON.stringify({ jobs: [{ durationSeconds: -1 }] }));
    const fromSpec = await cli("estimate", "--spec", spec, "--human");
    expect(fromSpec.code).toBe(2);
    expect(fromSpec.stderr).toContain("\n  --spec /jobs/0/durationSeconds: Too small");

    const unknown = await cli("balance", "nobody", "--human");
    expect(unknown.stderr).toBe(
      'quota-guard: Not found: No account "nobody".\n  [account]: unknown account\n',
    );
  });

  it("--translation-mode prices video_translation without --spec, and a bad mode names the flag", async () => {
    const priced = await cli(
      "estimate",
      ...["--type", "video_translation", "--translation-mode", "fast", "--duration", "60"],
      ...["--rate-card", "heygen-api-credits-2025"],
    );
    expect(priced.code).toBe(0);
    expect(json(priced)).toMatchObject({ rateCard: "heygen-api-credits-2025", total: 3 });

    const bad = await cli(
      "estimate",
      "--type",
      "video_translation",
      "--translation-mode",
      "warp",
      "--duration",
      "60",
      "--human",
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^quota-guard: Invalid request\n {2}--translation-mode: /);
  });

  it("the help lists every engine, type, resolution and translation mode of the API", async () => {
    const { ENGINES, JOB_TYPES, RESOLUTIONS, TRANSLATION_MODES } = await import("#core/job-spec");
    const help = (await cli("check", "--help")).stdout.replace(/\s+/g, " ");
    for (const value of [...ENGINES, ...JOB_TYPES, ...RESOLUTIONS, ...TRANSLATION_MODES]) {
      expect(help).toContain(value);
    }
  });
});

describe("--url", () => {
  it("a loopback URL without a scheme gets http://; any other host exits 2 with the hint", async () => {
    const port = new URL(stack.url).port;
    const out = await cli("--url", `127.0.0.1:${port}`, "balance");
    expect(out.code).toBe(0);
    expect(json(out)).toMatchObject({ accountId: ACCOUNT });

    const remote = await cli("--url", "quota.example.com", "balance", "--human");
    expect(remote).toMatchObject({ code: 2, stdout: "" });
    expect(remote.stderr).toMatch(
      /^quota-guard: Usage error: --url needs a scheme, e.g. https:\/\/quota\.example\.com/,
    );
  });

  it("something other than Quota Guard answering 200 with a web page exits 2, not 70", async () => {
    const server = createServer((_req, res) =>
      res.writeHead(200, { "content-type": "text/html" }).end("<html>"),
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const out = await cli("--url", `http://127.0.0.1:${port}`, "balance", "--human");
      expect(out.code).toBe(2);
      expect(out.stderr).toMatch(/^quota-guard: Not Quota Guard: .*is --url/);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe("reservations", () => {
  it("reserve → commit --actual; the same idempotency key answers the same hold; commit again is fine", async () => {
    const held = await cli("reserve", "--amount", "5", "--idempotency-key", "cli-job-1", "--ttl", "600");
    expect(held.code).toBe(0);
    const reservation = json<{ id: string; status: string; amount: number }>(held);
    expect(reservation).toMatchObject({ status: "held", amount: 5 });
    const again = await cli("reserve", "--amount", "5", "--idempotency-key", "cli-job-1", "--ttl", "600");
    expect(json(again).id).toBe(reservation.id);

    const committed = await cli("commit", reservation.id, "--actual", "4");
    expect(committed.code).toBe(0);
    expect(json(committed)).toMatchObject({ status: "committed", actualAmount: 4 });
    const repeated = await cli("commit", reservation.id, "--actual", "4", "--human");
    expect(repeated.code).toBe(0);
    expect(repeated.stdout).toMatch(/^reservation:\s+rsv_cli_\S+\nstatus:\s+committed\n/);

    const shown = await cli("reservation", reservation.id, "--human");
    expect(shown.stdout).toMatch(/status:\s+committed/);
    expect(shown.stdout).toMatch(/actual:\s+4 credits/);

    const conflict = await cli("release", reservation.id);
    expect(conflict.code).toBe(2);
    expect(problem(conflict)).toMatchObject({ status: 409, reservationStatus: "committed" });
  });

  it("reserve from job-spec flags, release (human)", async () => {
    const held = await cli("reserve", "--duration", "30", "--human");
    expect(held.code).toBe(0);
    expect(held.stdout).toMatch(/status:\s+held/);
    expect(held.stdout).toMatch(/amount:\s+3 credits/);
    const id = /reservation:\s+(\S+)/.exec(held.stdout)?.[1] ?? "";
    const released = await cli("release", id, "--human");
    expect(released.code).toBe(0);
    expect(released.stdout).toMatch(/status:\s+released/);
  });

  it("a hold that does not fit exits 1 with the insufficient-balance problem on stderr", async () => {
    const out = await cli("reserve", "--amount", "1000");
    expect(out).toMatchObject({ code: 1, stdout: "" });
    expect(problem(out)).toMatchObject({
      status: 409,
      required: 1000,
      type: expect.stringMatching(/insufficient-balance$/),
    });
    const text = await cli("reserve", "--amount", "1000", "--human");
    expect(text.stderr).toMatch(/^quota-guard: Insufficient balance: The hold needs 1000 credits/);
  });
});

describe("authentication and availability", () => {
  it("signing without any AWS credentials exits 3", async () => {
    const out = await run(process.execPath, [BIN, "--sign", "balance"], {
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
      AWS_PROFILE: undefined,
      AWS_CONFIG_FILE: join(dir, "none"),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, "none"),
      AWS_EC2_METADATA_DISABLED: "true",
      AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined,
      AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined,
      AWS_WEB_IDENTITY_TOKEN_FILE: undefined,
    });
    expect(out.code).toBe(3);
    expect(problem(out)).toMatchObject({ title: "No AWS credentials" });
  });

  it("nothing listening exits 4 with an unreachable problem", async () => {
    const out = await cli("--url", `http://127.0.0.1:${await freePort()}`, "check", "--duration", "10");
    expect(out.code).toBe(4);
    expect(problem(out)).toMatchObject({ title: "Unreachable" });
  });
});

describe("balance --human after a failed reading", () => {
  it("shows the failure's code and its reason", async () => {
    sandboxOf(stack).setFault(sandboxKeyOf(stack, ACCOUNT), "server_error");
    await stack.pollNow();
    sandboxOf(stack).clearFaults();
    const failure = json<{ lastFailure: { code: string; message: string } }>(
      await cli("balance"),
    ).lastFailure;
    expect(failure.message).not.toBe("");
    const text = await cli("balance", "--human");
    const line = text.stdout.split("\n").find((l) => l.startsWith("last failure:"));
    expect(line).toContain(`${failure.code}: ${failure.message} (at `);
  });
});
