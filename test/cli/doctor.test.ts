import { execFile } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "#local/free-port";
import type { LocalStack } from "#local/stack";
import { sandboxKeyOf, sandboxOf, startOneAccountStack, testConfig } from "#test/support/e2e";
import { startTestStack } from "#test/support/local-stack";

/**
 * `quota-guard doctor`, run as a process against two real local stacks: one set up as docs/deploy.md says
 * (key readable, balance recorded, webhook secret set), one fresh from a deploy (the webhook secret still
 * the placeholder, HeyGen refusing the key).
 */

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const BIN = join(ROOT, "packages/cli/bin/quota-guard.js");
const PLACEHOLDER = "NOT_SET: put the HeyGen webhook secret with aws secretsmanager put-secret-value";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

interface Report {
  ok: boolean;
  checks: { check: string; account?: string; status: string; detail: string; fix?: string }[];
}

let ready: LocalStack;
let fresh: LocalStack;

function doctor(url: string, ...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, "--url", url, "doctor", ...args],
      { cwd: ROOT, env: { ...process.env, QUOTA_GUARD_URL: undefined } },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

const statusOf = (report: Report) =>
  Object.fromEntries(report.checks.map((c) => [c.account ? `${c.check}:${c.account}` : c.check, c.status]));

beforeAll(async () => {
  let readCredits: (balance: number) => Promise<void>;
  ({ stack: ready, readCredits } = await startOneAccountStack("ready"));
  await readCredits(80);
  fresh = await startTestStack({
    config: testConfig([{ id: "fresh" }]),
    env: {},
    pollIntervalSeconds: 0,
    webhookSecret: PLACEHOLDER,
  });
  sandboxOf(fresh).setFault(sandboxKeyOf(fresh, "fresh"), "unauthorized");
  await fresh.pollNow();
}, 60_000);

afterAll(async () => {
  await Promise.all([ready?.stop(), fresh?.stop()]);
});

describe("quota-guard doctor", () => {
  it("a stack set up as docs/deploy.md says: every check passes (the subscription is skipped, with how to check it), exit 0", async () => {
    const out = await doctor(ready.url, "--json");
    expect(out.code, out.stderr).toBe(0);
    const report = JSON.parse(out.stdout) as Report;
    expect(report.ok).toBe(true);
    expect(statusOf(report)).toEqual({
      api: "pass",
      "key:ready": "pass",
      "balance:ready": "pass",
      "webhook-secret": "pass",
      "alert-subscription": "skip",
    });
    const subscription = report.checks.find((c) => c.check === "alert-subscription");
    expect(subscription?.fix).toContain("aws sns list-subscriptions-by-topic");
    expect(report.checks.find((c) => c.check === "balance")?.detail).toContain("80 credits remaining");
    // The secret is never answered, only whether it is set.
    expect(out.stdout).not.toContain(ready.webhookSecret);
  });

  it("--human prints a checklist, one PASS/FAIL/SKIP line per check", async () => {
    const out = await doctor(ready.url, "--human");
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^PASS {2}api: answers at http:\/\/127\.0\.0\.1:\d+ \(version /m);
    expect(out.stdout).toMatch(/^PASS {2}key \(ready\): /m);
    expect(out.stdout).toMatch(/^PASS {2}webhook-secret: set \(1 secret verify deliveries\)/m);
    expect(out.stdout).toMatch(/^SKIP {2}alert-subscription: .*\n {6}to check: aws sns/m);
    expect(out.stdout).toContain("All checks passed");
  });

  it("--test-alert sends a marked test alert through SNS and reports it sent", async () => {
    const before = ready.sns;
    const out = await doctor(ready.url, "--json", "--test-alert");
    expect(out.code, out.stderr).toBe(0);
    const check = (JSON.parse(out.stdout) as Report).checks.find((c) => c.check === "test-alert");
    expect(check).toMatchObject({ status: "pass", account: "ready" });
    const delivered = await before.drain(1);
    expect(delivered.some((n) => n.subject?.includes("TEST"))).toBe(true);
  });

  it("fresh from a deploy: the refused key, the missing balance and the placeholder webhook secret fail, each with its fix; exit 1", async () => {
    const out = await doctor(fresh.url, "--json");
    expect(out.code).toBe(1);
    const report = JSON.parse(out.stdout) as Report;
    expect(report.ok).toBe(false);
    expect(statusOf(report)).toMatchObject({
      api: "pass",
      "key:fresh": "fail",
      "balance:fresh": "fail",
      "webhook-secret": "fail",
    });
    const key = report.checks.find((c) => c.check === "key");
    expect(key?.detail).toContain("invalid_key");
    expect(key?.fix).toContain("aws secretsmanager put-secret-value --secret-id quota-guard/heygen/fresh");
    const webhook = report.checks.find((c) => c.check === "webhook-secret");
    expect(webhook?.detail).toContain("placeholder");
    expect(webhook?.fix).toContain("--secret-id quota-guard/heygen-webhook");
    expect(out.stdout).not.toContain(PLACEHOLDER);
  });

  it("--account names one account; an unknown one fails naming the configured ones", async () => {
    const out = await doctor(ready.url, "--json", "--account", "nope");
    expect(out.code).toBe(1);
    const report = JSON.parse(out.stdout) as Report;
    expect(report.checks.find((c) => c.account === "nope")?.detail).toContain("configured: ready");
  });

  it("nothing listening: the API check fails and the rest is not asked; exit 4 (unreachable)", async () => {
    const out = await doctor(`http://127.0.0.1:${await freePort()}`, "--json");
    expect(out.code).toBe(4);
    const report = JSON.parse(out.stdout) as Report;
    expect(report.checks).toHaveLength(1);
    expect(report.checks[0]).toMatchObject({ check: "api", status: "fail" });
  });
});
