import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
  ScheduledEvent,
} from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { signHeyGenEvent } from "#core/webhook-signature";
import { connectDynamoDbLocal, type DynamoDbLocal } from "#local/dynamodb-local";
import { DEFAULT_SANDBOX_ACCOUNT, type HeyGenSandbox, startHeyGenSandbox } from "#local/heygen-sandbox";
import { type SnsLocal, startSnsLocal } from "#local/sns-local";
import { ENV } from "#runtime/environment";
import { runDynamoDbEndpoint } from "#test/support/local-stack";
import { type SecretsManagerLocal, startSecretsManagerLocal } from "#test/support/secrets-manager-local";

/**
 * Each Lambda entry point (lambdas/{api,poller,webhook}/handler.ts), imported as Lambda imports it, with the
 * environment the stack sets pointing at local parts: DynamoDB Local, fauxqs for SNS, a loopback Secrets
 * Manager (test/support/secrets-manager-local.ts) and the HeyGen sandbox. Each is invoked with a real event
 * shape: an EventBridge scheduled event, API Gateway HTTP API (payload 2.0) requests.
 */

const HEYGEN_KEY = "sk-entry-point-key-4f1c";
const WEBHOOK_SECRET = "whsec_entry_point_secret_9d2e";
const KEY_SECRET_NAME = "quota-guard/heygen/default";
const WEBHOOK_SECRET_NAME = "quota-guard/heygen-webhook";

let dynamo: DynamoDbLocal;
let sns: SnsLocal;
let secrets: SecretsManagerLocal;
let sandbox: HeyGenSandbox;
const savedEnv = { ...process.env };
/** Everything the handlers wrote to stdout and stderr, one entry per write. */
const output: string[] = [];

type Handler<E, R> = (event: E, context: Context) => Promise<R>;
let apiHandler: Handler<APIGatewayProxyEventV2, unknown>;
let webhookHandler: Handler<APIGatewayProxyEventV2, unknown>;
/** The HTTP functions answer API Gateway's payload 2.0 result. */
const api = async (event: APIGatewayProxyEventV2, context: Context) =>
  (await apiHandler(event, context)) as APIGatewayProxyStructuredResultV2;
const webhook = async (event: APIGatewayProxyEventV2, context: Context) =>
  (await webhookHandler(event, context)) as APIGatewayProxyStructuredResultV2;
let poller: Handler<ScheduledEvent, void>;

/** Writes `config` where a test Lambda reads it, as the config layer does at /opt; returns the path. */
function configFile(config: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), "quota-guard-config-")), "config.json");
  writeFileSync(path, JSON.stringify(config));
  return path;
}

function lambdaContext(functionName: string, awsRequestId: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: "512",
    awsRequestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: "2026/11/30/[$LATEST]0123456789abcdef",
    getRemainingTimeInMillis: () => 10_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** An API Gateway HTTP API (payload 2.0) event as API Gateway sends it for an IAM-authorised request. */
function httpEvent(
  method: string,
  path: string,
  requestId: string,
  body?: string,
  headers: Record<string, string> = {},
): APIGatewayProxyEventV2 {
  return {
    version: "2.0",
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: "",
    headers: {
      host: "abc123.execute-api.us-east-1.amazonaws.com",
      "content-type": "application/json",
      ...headers,
    },
    requestContext: {
      accountId: "000000000000",
      apiId: "abc123",
      domainName: "abc123.execute-api.us-east-1.amazonaws.com",
      domainPrefix: "abc123",
      http: { method, path, protocol: "HTTP/1.1", sourceIp: "203.0.113.7", userAgent: "entry-point-test" },
      requestId,
      routeKey: `${method} ${path}`,
      stage: "$default",
      time: "30/Nov/2026:12:00:00 +0000",
      timeEpoch: Date.parse("2026-11-30T12:00:00Z"),
    },
    ...(body === undefined ? {} : { body }),
    isBase64Encoded: false,
  };
}

function scheduledEvent(time: string): ScheduledEvent {
  return {
    version: "0",
    id: "5c1e0e9b-0f6a-4b8e-9d1a-2a5b7c3d4e5f",
    "detail-type": "Scheduled Event",
    source: "aws.events",
    account: "000000000000",
    time,
    region: "us-east-1",
    resources: ["arn:aws:events:us-east-1:000000000000:rule/quota-guard-poll"],
    detail: {},
  };
}

type JsonLine = Record<string, unknown>;

/** The JSON log lines written while `invoke` ran, and apart from them its metrics (EMF lines, with `_aws`). */
async function logsOf<T>(
  invoke: () => Promise<T>,
): Promise<{ result: T; lines: JsonLine[]; metrics: JsonLine[] }> {
  const start = output.length;
  const result = await invoke();
  const json = output
    .slice(start)
    .flatMap((chunk) => chunk.split("\n"))
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as JsonLine);
  return {
    result,
    lines: json.filter((line) => line._aws === undefined),
    metrics: json.filter((line) => line._aws !== undefined),
  };
}

beforeAll(async () => {
  [dynamo, sns, sandbox] = await Promise.all([
    connectDynamoDbLocal(runDynamoDbEndpoint()),
    startSnsLocal(),
    startHeyGenSandbox({ accounts: [{ ...DEFAULT_SANDBOX_ACCOUNT, apiKey: HEYGEN_KEY, balance: 5 }] }),
  ]);
  secrets = await startSecretsManagerLocal({
    [KEY_SECRET_NAME]: HEYGEN_KEY,
    [WEBHOOK_SECRET_NAME]: WEBHOOK_SECRET,
  });
  Object.assign(process.env, {
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "local",
    AWS_SECRET_ACCESS_KEY: "local",
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_SNS: sns.endpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
    [ENV.tableName]: await dynamo.createTable(),
    [ENV.topicArn]: sns.topicArn,
    [ENV.webhookSecretName]: WEBHOOK_SECRET_NAME,
    [ENV.heygenBaseUrl]: sandbox.url,
    // The suite silences Powertools (vitest.config.ts); these tests read the log lines.
    POWERTOOLS_LOG_LEVEL: "INFO",
    // Likewise its metrics: these tests read the EMF lines of the call durations.
    POWERTOOLS_METRICS_DISABLED: "false",
    // As the config layer ships it: a file named by the environment.
    [ENV.config]: configFile({
      accounts: [{ id: "default", thresholds: { warning: 50, critical: 10 } }],
      checks: { minRefreshIntervalSeconds: 3600 },
    }),
  });
  const capture = (chunk: unknown) => {
    output.push(String(chunk));
    return true;
  };
  vi.spyOn(process.stdout, "write").mockImplementation(capture);
  vi.spyOn(process.stderr, "write").mockImplementation(capture);
  ({ handler: apiHandler } = await import("#api/handler"));
  ({ handler: webhookHandler } = await import("../../lambdas/webhook/handler.ts"));
  ({ handler: poller } = await import("#poller/handler"));
}, 60_000);

afterAll(async () => {
  vi.restoreAllMocks();
  process.env = savedEnv;
  await Promise.all([dynamo?.stop(), sns?.stop(), secrets?.stop(), sandbox?.close()]);
});

describe("the Lambda entry points against the local parts", () => {
  it("the poller reads HeyGen with the key from Secrets Manager, records it and publishes the alert to SNS", async () => {
    const tick = "2026-11-30T12:00:00Z";
    const { lines, metrics } = await logsOf(() =>
      poller(scheduledEvent(tick), lambdaContext("poller", "req-poll-1")),
    );
    expect(secrets.reads.get(KEY_SECRET_NAME)).toBe(1);
    const delivered = await sns.drain(1);
    expect(delivered.map((n) => n.attributes.severity)).toEqual(["critical"]);
    // HeyGen's and DynamoDB's latency as EMF, one line per operation and outcome, no key in either.
    const durations = metrics;
    const heygen = durations.find((line) => line.HeyGenCallDuration !== undefined);
    expect(heygen).toMatchObject({
      Operation: "GET /v3/users/me",
      Outcome: "success",
      service: "quota-guard",
    });
    const dynamo = durations.filter((line) => line.DynamoDBCallDuration !== undefined);
    expect(dynamo.map((line) => line.Outcome)).toContain("success");
    expect(dynamo.every((line) => /^[A-Z][A-Za-z]+$/.test(String(line.Operation)))).toBe(true);
    expect(JSON.stringify(durations)).not.toContain(HEYGEN_KEY);
    const finished = lines.find((line) => line.message === "poll finished");
    expect(finished).toMatchObject({
      accounts: [{ accountId: "default", status: "recorded" }],
      function_name: "poller",
      function_request_id: "req-poll-1",
      tick,
    });
  });

  it("the API answers with the recorded balance, every log line carrying the Lambda and API Gateway request ids", async () => {
    const read = await api(
      httpEvent("GET", "/v1/accounts/default", "apigw-1"),
      lambdaContext("api", "req-api-1"),
    );
    expect(read.statusCode).toBe(200);
    expect(JSON.parse(read.body ?? "{}")).toMatchObject({
      accountId: "default",
      remaining: 5,
      alertLevel: "critical",
    });

    // A refresh inside the minimum interval is skipped and logged as such.
    const refresh = await logsOf(() =>
      api(httpEvent("POST", "/v1/accounts/default/refresh", "apigw-2"), lambdaContext("api", "req-api-2")),
    );
    expect(refresh.result.statusCode).toBe(200);
    expect(refresh.lines.length).toBeGreaterThan(0);
    for (const line of refresh.lines) {
      expect(line).toMatchObject({ apiRequestId: "apigw-2", function_request_id: "req-api-2" });
    }
  });

  it("the keys of one invocation are cleared before the next", async () => {
    await api(
      httpEvent("POST", "/v1/accounts/default/refresh", "apigw-3"),
      lambdaContext("api", "req-api-3"),
    );
    const { lines } = await logsOf(() =>
      poller(scheduledEvent("2026-11-30T12:01:00Z"), lambdaContext("poller", "req-poll-2")),
    );
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(line.apiRequestId).toBeUndefined();
      expect(line.function_request_id).toBe("req-poll-2");
    }
  });

  it("the webhook function verifies with the secret from Secrets Manager and commits the API's hold", async () => {
    const reserved = await api(
      httpEvent("POST", "/v1/reservations", "apigw-4", JSON.stringify({ accountId: "default", amount: 2 })),
      lambdaContext("api", "req-api-4"),
    );
    expect(reserved.statusCode).toBe(201);
    const { id } = JSON.parse(reserved.body ?? "{}") as { id: string };
    const raw = JSON.stringify({
      event_type: "avatar_video.success",
      event_data: { video_id: "vid_entry_point", callback_id: id, duration: 30 },
    });
    const headers = signHeyGenEvent(raw, WEBHOOK_SECRET, Date.now() / 1000);
    const delivered = await webhook(
      httpEvent("POST", "/v1/webhooks/heygen", "apigw-5", raw, headers),
      lambdaContext("webhook", "req-webhook-1"),
    );
    expect(delivered.statusCode).toBe(200);
    expect(JSON.parse(delivered.body ?? "{}")).toMatchObject({ action: "committed", reservationId: id });
    expect(secrets.reads.get(WEBHOOK_SECRET_NAME)).toBe(1);
  });

  it("writes neither the HeyGen key nor the webhook secret anywhere in its output", () => {
    const all = output.join("");
    expect(all.length).toBeGreaterThan(0);
    expect(all).not.toContain(HEYGEN_KEY);
    expect(all).not.toContain(WEBHOOK_SECRET);
  });
});
