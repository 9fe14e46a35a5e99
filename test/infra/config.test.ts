import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Template } from "aws-cdk-lib/assertions";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError } from "#config/config";
import { MAX_CREATED_SECRETS } from "#infra/account-secrets";
import { createApp } from "#infra/create-app";
import { DEFAULT_WEBHOOK_SECRET_NAME } from "#infra/heygen-webhook";
import { removeTempDirs, resourcesOf, synth } from "./synth.ts";

const rootDir = mkdtempSync(join(tmpdir(), "quota-guard-root-"));
afterAll(() => {
  removeTempDirs();
  rmSync(rootDir, { recursive: true, force: true });
});

/** The accounts' secrets (the webhook's own secret is not an account's). */
const secretNames = (template: Template) =>
  Object.values(resourcesOf(template, "AWS::SecretsManager::Secret"))
    .map((s) => s.Properties?.Name)
    .filter((name) => name !== DEFAULT_WEBHOOK_SECRET_NAME);

describe("config loading", () => {
  it("uses the defaults (one account, default) when there is no config file", () => {
    const { template } = synth();
    expect(secretNames(template)).toEqual(["quota-guard/heygen/default"]);
  });

  it("reads quota-guard.config.json from the root directory when no -c config is given", () => {
    writeFileSync(
      join(rootDir, "quota-guard.config.json"),
      JSON.stringify({ accounts: [{ id: "from-root" }] }),
    );
    const { stack } = createApp({ rootDir, outdir: join(rootDir, "cdk.out") });
    expect(secretNames(Template.fromStack(stack))).toEqual(["quota-guard/heygen/from-root"]);
  });

  it("prefers the file named by -c config=PATH", () => {
    const { template } = synth({
      config: { accounts: [{ id: "one" }, { id: "two", secretName: "custom/two" }] },
    });
    expect(secretNames(template).sort()).toEqual(["custom/two", "quota-guard/heygen/one"]);
  });
});

describe("the shipped example config", () => {
  it("is valid and deploys its accounts and subscribers", () => {
    const example = JSON.parse(
      readFileSync(new URL("../../quota-guard.config.example.json", import.meta.url), "utf8"),
    );
    const { template } = synth({ config: example });
    expect(secretNames(template)).toEqual(example.accounts.map((a: { secretName: string }) => a.secretName));
    template.resourceCountIs("AWS::SNS::Subscription", example.alerts.emails.length * 2);
  });
});

describe("an invalid config fails the synth with a message naming the field", () => {
  it.each([
    [{ schedule: "every 5 minutes" }, "schedule: must be rate(...) or cron(...)"],
    [{ accounts: [{ id: "Not_Valid" }] }, "accounts.0.id: must match [a-z0-9-]{1,40}"],
    [{ alerts: { smsNumbers: ["555-0100"] } }, "alerts.smsNumbers.0: must be an E.164 number"],
    [{ alerts: { smsMinSeverity: "loud" } }, "alerts.smsMinSeverity"],
    [{ accounts: [{ id: "a" }], surprise: true }, "surprise"],
    // Plan credits are only in v2's details (field case G8).
    [
      { accounts: [{ id: "a", apiVersion: "v3", spendPool: "plan_credit" }] },
      "accounts.0.spendPool: plan_credit is read from v2",
    ],
    [{ accounts: [{ id: "a", spendPool: "plan" }] }, "accounts.0.spendPool"],
    [
      { accounts: [{ id: "a", spendPoolByJobType: { video_agent: "credits" } }] },
      "accounts.0.spendPoolByJobType.video_agent",
    ],
    [
      { accounts: [{ id: "a", spendPoolByJobType: { movie: "plan_credit" } }] },
      "accounts.0.spendPoolByJobType",
    ],
  ])("%j", (config, message) => {
    let thrown: unknown;
    try {
      synth({ config });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as Error).message).toContain(message);
  });

  it("names the file when -c config points nowhere", () => {
    const missing = join(rootDir, "missing.json");
    expect(() => createApp({ context: { config: missing }, rootDir })).toThrow(
      new RegExp(`${missing.replace(/[/\\.]/g, "\\$&")}[\\s\\S]*cannot read`),
    );
  });

  it("refuses a config too large for one stack (more created secrets than it holds) instead of failing at deploy", () => {
    const accounts = Array.from({ length: MAX_CREATED_SECRETS + 1 }, (_, i) => ({ id: `account-${i}` }));
    let thrown: unknown;
    try {
      synth({ config: { accounts } });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as Error).message).toMatch(
      new RegExp(`accounts: ${MAX_CREATED_SECRETS + 1} accounts .*"importSecret": true`),
    );
  });
});
