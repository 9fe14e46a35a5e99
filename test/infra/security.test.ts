import { afterAll, afterEach, describe, expect, it } from "vitest";
import { parseConfig } from "#config/config";
import { CONFIG_FILE_PATH } from "#runtime/config-source";
import { ENV } from "#runtime/environment";
import {
  actionsOf,
  removeTempDirs,
  resourcesOf,
  shippedConfig,
  statementsOfFunction,
  synth,
  synthOnce,
} from "./synth.ts";

afterAll(removeTempDirs);

const TWO_ACCOUNTS = {
  accounts: [
    { id: "default" },
    { id: "agency", secretName: "shared/heygen-agency", importSecret: true, apiKeyEnv: "AGENCY_KEY" },
  ],
};
const POLLER = "HeyGen Quota Guard balance poller";
const API = "HeyGen Quota Guard HTTP API";
const WEBHOOK = "HeyGen Quota Guard webhook receiver";

describe("secrets never reach the template", () => {
  const fakeKey = "hg_live_4f9c2d7e1a8b6c3d5e0f9a2b7c4d1e8f";
  afterEach(() => {
    delete process.env.HEYGEN_API_KEY;
    delete process.env.AGENCY_KEY;
  });

  it("does not copy a key found in the synth environment into any resource", () => {
    process.env.HEYGEN_API_KEY = fakeKey;
    process.env.AGENCY_KEY = fakeKey;
    const { app, template } = synthOnce({ config: TWO_ACCOUNTS });
    expect(JSON.stringify(template.toJSON())).not.toContain(fakeKey);
    // Nor into the config the Lambdas are shipped, which leaves the template as an asset.
    expect(JSON.stringify(shippedConfig(app, template))).not.toContain(fakeKey);
  });

  it("gives each Lambda only names and settings: the shipped config is the validated config, secret names included", () => {
    const { app, template } = synth({ config: TWO_ACCOUNTS });
    const config = shippedConfig(app, template) as ReturnType<typeof parseConfig>;
    expect(config).toEqual(parseConfig(TWO_ACCOUNTS));
    expect(config.accounts.map((a) => a.secretName)).toEqual([
      "quota-guard/heygen/default",
      "shared/heygen-agency",
    ]);
    const functions = Object.values(resourcesOf(template, "AWS::Lambda::Function"));
    expect(functions).toHaveLength(4);
    for (const fn of functions) {
      const { WEBHOOK_SECRET_NAME, ...variables } = (
        fn.Properties.Environment as { Variables: Record<string, unknown> }
      ).Variables;
      expect(Object.keys(variables).filter((name) => /KEY|SECRET|TOKEN|PASSWORD/i.test(name))).toEqual([]);
      // The webhook function is told the secret's name, never its value.
      if (WEBHOOK_SECRET_NAME !== undefined) expect(WEBHOOK_SECRET_NAME).toBe("quota-guard/heygen-webhook");
      // Each reads the config from the one layer's file.
      expect(variables[ENV.config]).toBe(CONFIG_FILE_PATH);
      expect(fn.Properties.Layers).toEqual([{ Ref: expect.stringMatching(/^QuotaGuardConfigLayer/) }]);
    }
  });

  it("creates secrets holding a placeholder (never a generated value) and imports the others by name", () => {
    const { template } = synth({ config: TWO_ACCOUNTS });
    const secrets = Object.values(resourcesOf(template, "AWS::SecretsManager::Secret"));
    expect(secrets.map((s) => s.Properties?.Name)).toEqual([
      "quota-guard/heygen/default",
      "quota-guard/heygen-webhook",
    ]);
    for (const secret of secrets) {
      expect(secret.Properties?.GenerateSecretString).toBeUndefined();
      expect(secret.Properties?.SecretString).toMatch(/^NOT_SET/);
      expect(secret.DeletionPolicy).toBe("Retain");
    }
  });
});

describe("least privilege", () => {
  const { template } = synth({ config: TWO_ACCOUNTS });
  const store = ["GetItem", "BatchGetItem", "Query", "PutItem", "UpdateItem", "DeleteItem"].map(
    (a) => `dynamodb:${a}`,
  );
  const tracing = ["xray:PutTelemetryRecords", "xray:PutTraceSegments"];
  const logging = ["logs:CreateLogStream", "logs:PutLogEvents"];
  /** Reading HeyGen and publishing a reading's alerts: both Lambdas read (one reading path). */
  const reading = [
    "secretsmanager:GetSecretValue",
    "sns:Publish",
    "kms:GenerateDataKey",
    "kms:Decrypt",
    "events:PutEvents",
  ];

  it("the poller may use the table, read the keys, publish alerts, and dead-letter a failed poll", () => {
    expect(actionsOf(statementsOfFunction(template, POLLER))).toEqual(
      [
        ...store,
        ...tracing,
        ...logging,
        ...reading,
        "sqs:SendMessage",
        "sqs:GetQueueAttributes",
        "sqs:GetQueueUrl",
      ].sort(),
    );
  });

  it("the API may use the table, read the keys and publish its readings' alerts and test alerts, nothing more", () => {
    expect(actionsOf(statementsOfFunction(template, API))).toEqual(
      [...store, ...tracing, ...logging, ...reading].sort(),
    );
    const alertsTopic = Object.entries(resourcesOf(template, "AWS::SNS::Topic")).find(
      ([, t]) => t.Properties.DisplayName === "HeyGen Quota Guard alerts",
    )?.[0];
    const [publish] = statementsOfFunction(template, API).filter((s) => s.Action === "sns:Publish");
    expect(publish?.Resource).toEqual({ Ref: alertsTopic });
  });

  it("the webhook function may use the table, read the keys and its own secret, and publish alerts", () => {
    // GetSecretValue twice: the account keys, and the webhook secret in a statement of its own.
    expect(actionsOf(statementsOfFunction(template, WEBHOOK))).toEqual(
      [...store, ...tracing, ...logging, ...reading, "secretsmanager:GetSecretValue"].sort(),
    );
    const secretReads = statementsOfFunction(template, WEBHOOK).filter(
      (s) => s.Action === "secretsmanager:GetSecretValue",
    );
    expect(JSON.stringify(secretReads)).toMatch(/"Ref":"QuotaGuardHeyGenWebhookSecret[0-9A-F]+"/);
  });

  it("reads exactly the account secrets: the created one by ARN, the imported one by name plus suffix", () => {
    for (const description of [POLLER, API]) {
      const [statement] = statementsOfFunction(template, description).filter(
        (s) => s.Action === "secretsmanager:GetSecretValue",
      );
      const resources = JSON.stringify(statement?.Resource);
      expect(resources).toMatch(/"Ref":"QuotaGuardAccountSecretsSecretdefault[0-9A-F]+"/);
      expect(resources).toContain(":secret:shared/heygen-agency-??????");
      expect(statement?.Resource).toHaveLength(2);
    }
  });

  it("grants nothing on * except X-Ray, which has no resource-level permissions", () => {
    for (const description of [POLLER, API, WEBHOOK]) {
      const onEverything = statementsOfFunction(template, description).filter((s) => s.Resource === "*");
      expect(actionsOf(onEverything)).toEqual(tracing);
    }
  });

  it("attaches no AWS managed policy to the Lambda roles", () => {
    const roles = Object.values(resourcesOf(template, "AWS::IAM::Role"));
    for (const role of roles) expect(role.Properties?.ManagedPolicyArns).toBeUndefined();
  });
});

describe("encryption and TLS", () => {
  const { template } = synth();

  it("encrypts both topics with one customer managed key that rotates", () => {
    const topics = Object.values(resourcesOf(template, "AWS::SNS::Topic"));
    expect(topics).toHaveLength(2);
    const keyIds = new Set(
      topics.map((t) => (t.Properties.KmsMasterKeyId as { "Fn::GetAtt": string[] })["Fn::GetAtt"][0]),
    );
    expect(keyIds.size).toBe(1);
    const [keyId] = [...keyIds];
    expect(template.toJSON().Resources[keyId as string].Properties.EnableKeyRotation).toBe(true);
  });

  it("denies every request not made over TLS on both topics and on the dead-letter queue", () => {
    const policies = [
      ...Object.values(resourcesOf(template, "AWS::SNS::TopicPolicy")),
      ...Object.values(resourcesOf(template, "AWS::SQS::QueuePolicy")),
    ];
    expect(policies).toHaveLength(3);
    for (const policy of policies) {
      const statements = (policy.Properties.PolicyDocument as { Statement: Record<string, unknown>[] })
        .Statement;
      expect(statements).toContainEqual(
        expect.objectContaining({
          Effect: "Deny",
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        }),
      );
    }
  });

  it("encrypts the dead-letter queue", () => {
    const [queue] = Object.values(resourcesOf(template, "AWS::SQS::Queue"));
    expect(queue?.Properties?.SqsManagedSseEnabled).toBe(true);
  });
});
