// First: it quiets the AWS SDK before any of its clients is made.
import "./quiet-sdk.ts";

/**
 * `npm start`: the whole Quota Guard on this machine. Environment (docs/local-stack.md): HEYGEN_API_KEY (real HeyGen;
 * otherwise the sandbox), HEYGEN_API_BASE_URL, PORT (3000), POLL_INTERVAL_SECONDS (60),
 * MIN_REFRESH_INTERVAL_SECONDS, QUOTA_GUARD_CONFIG (path to a config file), LOCAL_SIGV4=1 (require SigV4
 * with key pairs made up for this run and printed: one per `local.principals` entry of the config, else one
 * for LOCAL_PRINCIPAL), HEYGEN_WEBHOOK_SECRET (the secret POST
 * /v1/webhooks/heygen verifies with; without it one is made and printed), DYNAMODB_ENDPOINT (a DynamoDB Local,
 * or a fault proxy in front of one, to keep the `quota-guard` table in instead of starting one in memory).
 */
import { ConfigError, loadConfigFile, parseConfig, type QuotaGuardConfig } from "#config/config";
import { ENV } from "#runtime/environment";
import { DEFAULT_HEYGEN_BASE_URL } from "#runtime/wiring";
import { TABLE } from "#store/table";
import { eventText, notificationText } from "./console.ts";
import { DYNAMODB_ENDPOINT_ENV, JavaMissingError } from "./dynamodb-local.ts";
import { LOCAL_PRINCIPAL, type LocalSigV4Keys, localSigV4KeyRing } from "./sigv4.ts";
import { type LocalStack, startLocalStack } from "./stack.ts";

function numberEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) {
    throw new ConfigError(name, [{ path: name, message: `must be a non-negative number, got "${raw}"` }]);
  }
  return value;
}

function loadConfig(): QuotaGuardConfig {
  const path = process.env.QUOTA_GUARD_CONFIG || undefined;
  const config = path ? loadConfigFile(path) : parseConfig({}, "defaults");
  const minRefresh = process.env.MIN_REFRESH_INTERVAL_SECONDS;
  if (!minRefresh) return config;
  return {
    ...config,
    checks: { ...config.checks, minRefreshIntervalSeconds: numberEnv("MIN_REFRESH_INTERVAL_SECONDS", 10) },
  };
}

/** How to call a stack that requires SigV4: a key pair per principal (local only: they open nothing else). */
function sigV4Lines(ring: readonly LocalSigV4Keys[] | undefined, cliUrl: string): string[] {
  if (!ring) return [`Every request comes from ${LOCAL_PRINCIPAL} (no SigV4; LOCAL_SIGV4=1 signs).`];
  return [
    "",
    "SigV4 required (LOCAL_SIGV4=1): unsigned or wrongly signed requests get 403, as API Gateway answers them.",
    "  This run's local key pairs, one per principal (they open nothing but this stack):",
    ...ring.flatMap((keys) => [
      `  ${keys.name} (${keys.arn}):`,
      `    export AWS_ACCESS_KEY_ID=${keys.accessKeyId} AWS_SECRET_ACCESS_KEY=${keys.secretAccessKey} AWS_REGION=${keys.region}`,
    ]),
    `  npx quota-guard${cliUrl} --sign balance`,
    `  The status page still works: its own reads (GETs under /status/api/) pass unsigned, as ${LOCAL_PRINCIPAL}.`,
  ];
}

function printBanner(
  stack: LocalStack,
  pollSeconds: number,
  startedMs: number,
  sigv4?: readonly LocalSigV4Keys[],
): void {
  const account = stack.config.accounts[0]?.id ?? "default";
  // The CLI's default URL is the default port's; any other port is passed on.
  const cliUrl = stack.url === "http://127.0.0.1:3000" ? "" : ` --url ${stack.url}`;
  const source = stack.sandbox
    ? `HeyGen sandbox at ${stack.sandbox.url} (no HEYGEN_API_KEY set; control API at ${stack.sandbox.url}/_sandbox/state)`
    : `HeyGen at ${process.env[ENV.heygenBaseUrl] || DEFAULT_HEYGEN_BASE_URL}`;
  const lines = [
    "",
    `HeyGen Quota Guard is running at ${stack.url}  (ready in ${Date.now() - startedMs} ms)`,
    "",
    `  Open the status page: ${stack.url}/`,
    "",
    `  accounts:   ${stack.config.accounts.map((a) => a.id).join(", ")}`,
    `  storage:    table ${stack.tableName} at ${stack.dynamo.endpoint}`,
    `  balances:   ${source}`,
    `  polling:    every ${pollSeconds} s (and once at start); alerts are printed below as SNS and EventBridge get them`,
    "",
    "Try:",
    `  curl -s ${stack.url}/v1/accounts/${account} | jq`,
    `  curl -s -X POST ${stack.url}/v1/estimates -H 'content-type: application/json' -d '{"durationSeconds": 90, "resolution": "1080p"}' | jq`,
    `  curl -s -X POST ${stack.url}/v1/checks -H 'content-type: application/json' -d '{"accountId": "${account}", "durationSeconds": 120}' | jq`,
    `  curl -s -X POST ${stack.url}/v1/reservations -H 'content-type: application/json' -H 'Idempotency-Key: banner-job-1' -d '{"accountId": "${account}", "amount": 5}' | jq`,
    `  curl -s ${stack.url}/v1/accounts/${account}/alerts | jq`,
    `  curl -s -X POST ${stack.url}/v1/accounts/${account}/test-alert | jq    # a marked test alert, printed below`,
    `  curl -s ${stack.url}/openapi.json | jq .paths`,
    `  npx quota-guard${cliUrl} balance`,
    `  npx quota-guard${cliUrl} history --chart`,
    ...sigV4Lines(sigv4, cliUrl),
    "",
    ...webhookLoop(stack, account),
    "",
    "Press Ctrl-C to stop. The data is in memory only: balances, holds and alerts are lost at stop.",
    "",
  ];
  console.log(lines.join("\n"));
}

/** The webhook lines of the banner: where it listens, its secret if made now, and the loop with curl. */
function webhookLoop(stack: LocalStack, account: string): string[] {
  const lines = [
    `Webhook: POST ${stack.url}/v1/webhooks/heygen, ` +
      (stack.webhookSecretGenerated
        ? `secret ${stack.webhookSecret} (made now; set HEYGEN_WEBHOOK_SECRET to keep one)`
        : "secret from HEYGEN_WEBHOOK_SECRET"),
  ];
  const apiKey = stack.sandboxKeys[account];
  if (!stack.sandbox || !apiKey) return lines;
  const job = (outcome: string) =>
    `  curl -s -X POST ${stack.sandbox?.url}/_sandbox/videos -d '{"apiKey": "${apiKey}", "callbackId": "'$id'", ` +
    `"durationSeconds": 90, "outcome": "${outcome}", "afterMs": 1000}'`;
  return [
    ...lines,
    "The loop: reserve → sandbox job (callback_id = reservation id) → signed webhook → committed:",
    `  id=$(curl -s -X POST ${stack.url}/v1/reservations -H 'content-type: application/json' -d '{"accountId": "${account}", "durationSeconds": 120}' | jq -r .id)`,
    job("success"),
    `  sleep 2; curl -s ${stack.url}/v1/reservations/$id | jq '{status, amount, actualAmount, commitBasis}'`,
    `  curl -s ${stack.url}/v1/accounts/${account}/events | jq   # outcome "fail" releases; "insufficient_credit" also alerts`,
    `  sleep 120; curl -s ${stack.url}/v1/accounts/${account} | jq '{remaining, reserved, available}'   # the sandbox charged the price; settled`,
  ];
}

async function main(): Promise<void> {
  const startedMs = Date.now();
  const config = loadConfig();
  const pollSeconds = numberEnv("POLL_INTERVAL_SECONDS", 60);
  const port = numberEnv("PORT", 3000);
  const sigv4 = process.env.LOCAL_SIGV4 === "1" ? localSigV4KeyRing(config.local?.principals) : undefined;
  const dynamoEndpoint = process.env[DYNAMODB_ENDPOINT_ENV] || undefined;
  console.log(
    dynamoEndpoint
      ? `Using DynamoDB at ${dynamoEndpoint} (${DYNAMODB_ENDPOINT_ENV}); starting SNS (fauxqs), EventBridge (loopback) and the HeyGen sandbox...`
      : "Starting DynamoDB Local, SNS (fauxqs), EventBridge (loopback) and the HeyGen sandbox...",
  );
  const stack = await startLocalStack({
    config,
    port,
    // A persistent DynamoDB Local keeps the table across restarts: made when missing, never deleted.
    ...(dynamoEndpoint ? { dynamoEndpoint, dynamoTable: TABLE.localName } : {}),
    ...(sigv4 ? { sigv4 } : {}),
    pollIntervalSeconds: pollSeconds,
    onNotification(n) {
      console.log(`\n${notificationText(n)}`);
    },
    onEvent(event) {
      console.log(`\n${eventText(event)}`);
    },
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping...`);
    await stack.stop();
    console.log("Stopped. The local data (balances, holds, alerts) was in memory and is gone.");
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));

  const first = await stack.pollNow();
  printBanner(stack, pollSeconds, startedMs, sigv4);
  for (const result of first) {
    const balance = result.snapshot
      ? `${result.snapshot.remaining} ${result.snapshot.unit}`
      : result.error
        ? `failed (${result.error.code}: ${result.error.message})`
        : `${result.status} (no new reading)`;
    console.log(`first poll: ${result.accountId}: ${balance}`);
  }
}

main().catch((error) => {
  if (error instanceof ConfigError || error instanceof JavaMissingError) {
    console.error(`\n${error.message}\n`);
  } else {
    console.error("\nThe local stack failed to start:", error);
  }
  process.exit(1);
});
