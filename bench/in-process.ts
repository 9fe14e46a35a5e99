import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Router } from "@aws-lambda-powertools/event-handler/http";
import type { APIGatewayProxyEventV2, Context } from "aws-lambda";
import { json, readJsonBody } from "#api/request";
import { createApiRouter } from "#api/routes";
import { parseConfig } from "#config/config";
import type { AccountState } from "#core/account";
import { INITIAL_ALERT_STATE } from "#core/account";
import { createRateCardRegistry } from "#core/rate-card";
import { type Services, silentLog } from "#service/services";
import type { AccountStore } from "#service/store-port";
import { nsToMs, quantile } from "./stats.ts";

export interface InProcessFigure {
  opsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  iterations: number;
}

export interface InProcessFigures {
  estimate: InProcessFigure;
  check: InProcessFigure;
  /**
   * A route that only reads the JSON body and answers it, through the same Powertools Router: the floor
   * the framework sets (web Request/Response per call), so a miss can be told apart from our own code.
   */
  routerFloor: InProcessFigure;
}

const JOB = { durationSeconds: 60 };

/** The same measurement in a fresh process of another `node` binary (the Lambda runtime's version). */
export function measureInProcessOn(nodePath: string, iterations: number): InProcessFigures {
  const child = spawnSync(nodePath, ["--import", "tsx", CHILD_SCRIPT, String(iterations)], {
    cwd: REPO_ROOT,
    encoding: "utf8",
    env: { ...process.env, NODE_NO_WARNINGS: "1" },
  });
  const lastLine = child.stdout.trim().split("\n").at(-1) ?? "";
  if (child.status !== 0 || !lastLine.startsWith("{")) {
    throw new Error(
      `in-process bench on ${nodePath} failed (exit ${child.status}):\n${child.stderr.slice(-2000)}`,
    );
  }
  return JSON.parse(lastLine) as InProcessFigures;
}

const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));
const CHILD_SCRIPT = fileURLToPath(new URL("./in-process-child.ts", import.meta.url));

/**
 * The API router's own cost per request (validation, estimate, check rules, response shaping) with I/O
 * stubbed: the store is an in-memory account state, HeyGen is never called. Calls run one after another on
 * one core, each timed with process.hrtime.bigint, after a warm-up.
 */
export async function measureInProcess(iterations: number): Promise<InProcessFigures> {
  const router = createApiRouter(inMemoryServices());
  const estimateEvent = httpApiEvent("/v1/estimates", JOB);
  const checkEvent = httpApiEvent("/v1/checks", JOB);
  const resolve = (event: APIGatewayProxyEventV2) => router.resolve(event, LAMBDA_CONTEXT);
  const floor = new Router();
  floor.post("/v1/echo", async ({ req }) => json(200, await readJsonBody(req)));
  const echoEvent = httpApiEvent("/v1/echo", JOB);
  return {
    estimate: await timeCalls(() => resolve(estimateEvent), iterations),
    check: await timeCalls(() => resolve(checkEvent), iterations),
    routerFloor: await timeCalls(() => floor.resolve(echoEvent, LAMBDA_CONTEXT), iterations),
  };
}

async function timeCalls(
  call: () => Promise<{ statusCode?: number; body?: string }>,
  iterations: number,
): Promise<InProcessFigure> {
  const first = await call();
  if (first.statusCode !== 200)
    throw new Error(`in-process call answered ${first.statusCode}: ${first.body}`);
  for (let i = 0; i < Math.ceil(iterations / 5); i++) await call();
  const samples = new Array<number>(iterations);
  const started = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) {
    const t0 = process.hrtime.bigint();
    await call();
    samples[i] = nsToMs(process.hrtime.bigint() - t0);
  }
  const totalMs = nsToMs(process.hrtime.bigint() - started);
  return {
    opsPerSecond: iterations / (totalMs / 1000),
    p50Ms: quantile(samples, 0.5),
    p99Ms: quantile(samples, 0.99),
    iterations,
  };
}

/** Services whose store answers from memory; estimate and check only ever read the account state. */
function inMemoryServices(): Services {
  const config = parseConfig({});
  const account = config.accounts[0];
  if (!account) throw new Error("the default config has no account");
  const state: AccountState = {
    accountId: account.id,
    latest: {
      accountId: account.id,
      observedAt: new Date().toISOString(),
      source: "v3",
      billingType: "wallet",
      unit: "usd",
      remaining: 120,
      pools: [],
    },
    alert: INITIAL_ALERT_STATE,
    reserved: 0,
    openHolds: 0,
    headroom: 120,
    version: 1,
  };
  const store: Pick<AccountStore, "getAccountState"> = { getAccountState: async () => state };
  return {
    config,
    store: store as AccountStore,
    rateCards: createRateCardRegistry(config.rateCards),
    balanceSource() {
      throw new Error("the in-process bench must never call HeyGen");
    },
    now: () => new Date(),
    log: silentLog,
  };
}

function httpApiEvent(path: string, body: unknown): APIGatewayProxyEventV2 {
  const now = Date.now();
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: path,
    rawQueryString: "",
    headers: { "content-type": "application/json", host: "bench.local" },
    requestContext: {
      accountId: "000000000000",
      apiId: "bench",
      domainName: "bench.local",
      domainPrefix: "bench",
      http: { method: "POST", path, protocol: "HTTP/1.1", sourceIp: "127.0.0.1", userAgent: "bench" },
      requestId: "bench",
      routeKey: "$default",
      stage: "$default",
      time: new Date(now).toUTCString(),
      timeEpoch: now,
    },
    body: JSON.stringify(body),
    isBase64Encoded: false,
  };
}

const LAMBDA_CONTEXT = {
  functionName: "quota-guard-api-bench",
  awsRequestId: "bench",
  getRemainingTimeInMillis: () => 30_000,
} as Context;
