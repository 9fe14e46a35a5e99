import { afterAll, describe, expect, it } from "vitest";
import { parseConfig } from "#config/config";
import { CONFIG_FILE_PATH } from "#runtime/config-source";
import { ENV } from "#runtime/environment";
import { removeTempDirs, resourcesOf, shippedConfig, statementsOfFunction, synth } from "./synth.ts";

afterAll(removeTempDirs);

/** Lambda's limit for all of a function's environment variables together (keys and values). */
const LAMBDA_ENVIRONMENT_LIMIT_BYTES = 4 * 1024;
const FUNCTIONS = [
  "HeyGen Quota Guard balance poller",
  "HeyGen Quota Guard HTTP API",
  "HeyGen Quota Guard webhook receiver",
  "HeyGen Quota Guard reports",
];

/**
 * 500 accounts, a fleet one stack must carry. Their secrets are imported: a stack creates at most
 * MAX_CREATED_SECRETS (CloudFormation's 500 resources), and importing keeps this synth quick.
 */
const accounts = Array.from({ length: 500 }, (_, i) => ({
  id: `client-${String(i + 1).padStart(3, "0")}`,
  importSecret: true,
  thresholds: { warning: 100 + i, critical: 10 },
}));
const FLEET = { accounts, alerts: { emails: ["ops@example.com"] } };

describe("a 500-account config", () => {
  const { app, template } = synth({ config: FLEET });
  const functions = Object.values(resourcesOf(template, "AWS::Lambda::Function"));

  it("synthesizes, passes cdk-nag and stays under CloudFormation's 500 resources", () => {
    expect(() => app.synth()).not.toThrow();
    expect(Object.keys(template.toJSON().Resources).length).toBeLessThan(500);
  });

  it("keeps every function's environment far under Lambda's 4 KB: the config is not in it", () => {
    expect(functions).toHaveLength(4);
    for (const fn of functions) {
      const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      const bytes = Buffer.byteLength(JSON.stringify(variables));
      expect(bytes).toBeLessThan(LAMBDA_ENVIRONMENT_LIMIT_BYTES / 4);
      expect(JSON.stringify(variables)).not.toContain("client-");
      expect(variables[ENV.config]).toBe(CONFIG_FILE_PATH);
    }
  });

  it("ships the validated config, all 500 accounts, in the one layer every function mounts", () => {
    const [layerId] = Object.keys(resourcesOf(template, "AWS::Lambda::LayerVersion"));
    for (const fn of functions) expect(fn.Properties.Layers).toEqual([{ Ref: layerId }]);
    const shipped = shippedConfig(app, template) as ReturnType<typeof parseConfig>;
    expect(shipped).toEqual(parseConfig(FLEET));
    expect(shipped.accounts).toHaveLength(500);
    expect(shipped.accounts[499]).toMatchObject({
      id: "client-500",
      secretName: "quota-guard/heygen/client-500",
      thresholds: { warning: 599, critical: 10 },
    });
  });

  it("grants the account keys by their one secret folder: no per-account ARN, no SSM, no overflow policy", () => {
    // The reports function reads no HeyGen key at all (test/infra/api.test.ts).
    for (const description of FUNCTIONS.filter((name) => name !== "HeyGen Quota Guard reports")) {
      const statements = statementsOfFunction(template, description);
      const keyReads = statements.filter(
        (s) =>
          s.Action === "secretsmanager:GetSecretValue" && !JSON.stringify(s.Resource).includes("Webhook"),
      );
      expect(keyReads).toHaveLength(1);
      expect(JSON.stringify(keyReads[0]?.Resource)).toMatch(/:secret:quota-guard\/heygen\/\*"\]\]\}$/);
      expect(JSON.stringify(statements)).not.toMatch(/"ssm:/);
    }
    expect(resourcesOf(template, "AWS::IAM::ManagedPolicy")).toEqual({});
  });
});

describe("an invalid 500-account config fails the synth naming the field", () => {
  it("names the account whose field is invalid, however deep in the list", () => {
    const bad = { accounts: accounts.map((a, i) => (i === 499 ? { ...a, id: "Client_500" } : a)) };
    expect(() => synth({ config: bad })).toThrow(/accounts\.499\.id: must match/);
  });

  it("refuses account secret names whose folder grant would also let every function read the webhook secret", () => {
    const spread = accounts.slice(0, 41).map((a) => ({ ...a, secretName: `quota-guard/${a.id}` }));
    expect(() => synth({ config: { ...FLEET, accounts: spread } })).toThrow(
      /quota-guard\/\*, which would include HeyGen's webhook secret \(quota-guard\/heygen-webhook\)/,
    );
    // The default names (quota-guard/heygen/<id>) keep to their own folder, which the webhook secret is not in.
    expect(() => synth({ config: { ...FLEET, accounts: accounts.slice(0, 41) } })).not.toThrow();
  });
});
