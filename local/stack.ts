import { randomBytes } from "node:crypto";
import type { Server } from "node:http";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { Context } from "aws-lambda";
import { HEYGEN_WEBHOOK_ROUTE, UNSIGNED_ROUTES } from "#api/route-list";
import { parseConfig, type QuotaGuardConfig } from "#config/config";
import { ENV } from "#runtime/environment";
import { wireHttpApi } from "#runtime/http-wiring";
import { type Adapters, DEFAULT_HEYGEN_BASE_URL, wirePoller } from "#runtime/wiring";
import type { PollResult } from "#service/poll-account";
import { pollAccounts } from "#service/poll-accounts";
import type { Log, Services, TaskResultSender } from "#service/services";
import { TABLE } from "#store/table";
import { humanLog } from "./console.ts";
import { connectDynamoDbLocal, type DynamoDbLocal, startDynamoDbLocal } from "./dynamodb-local.ts";
import { type EventBridgeLocal, type RecordedEvent, startEventBridgeLocal } from "./eventbridge-local.ts";
import { freePort } from "./free-port.ts";
import { DEFAULT_SANDBOX_ACCOUNT, type HeyGenSandbox, startHeyGenSandbox } from "./heygen-sandbox.ts";
import { serveHttpApi } from "./http-adapter.ts";
import { LOCAL_PRINCIPAL, type LocalSigV4Keys, signingKeyOf, sigV4Refusal } from "./sigv4.ts";
import { type DeliveredNotification, type SnsLocal, startSnsLocal } from "./sns-local.ts";
import { pageReadTarget, STATUS_PAGE_HEADERS, statusPageAssets } from "./status-page.ts";

export interface LocalStackOptions {
  config?: QuotaGuardConfig;
  /** API port; 0 picks a free one. */
  port?: number;
  /** Seconds between scheduled polls; 0 disables the timer (tests call pollNow). */
  pollIntervalSeconds?: number;
  /** HeyGen keys by env var name (default: process.env); a missing key means "use the sandbox". */
  env?: Record<string, string | undefined>;
  /** Sandbox latency per HeyGen call, in ms. */
  sandboxLatencyMs?: number;
  /** How long after a successful sandbox video its price leaves the wallet, in ms (default 3000; tests 0). */
  sandboxChargeDelayMs?: number;
  heygenTimeoutMs?: number;
  /** How the HeyGen client waits between retries (default: real time; tests pass one that does not wait). */
  heygenSleep?: (ms: number) => Promise<void>;
  /** How the store waits between retries of a throttled write (default: real time; tests pass one that does not wait). */
  storeSleep?: (ms: number) => Promise<void>;
  /**
   * A DynamoDB Local already running (the test run's, shared by every test file): the stack makes its own
   * table there, and deletes it at stop, instead of starting a JVM of its own.
   */
  dynamoEndpoint?: string;
  /**
   * With `dynamoEndpoint`: the table to use there, made when missing and kept at stop (`npm start` with
   * DYNAMODB_ENDPOINT), instead of a table of the stack's own deleted at stop.
   */
  dynamoTable?: string;
  /**
   * The document client the stack's store sends through, made from the stack's own: a test wraps it to
   * inject what DynamoDB Local never does, such as throttling (test/support/dynamo-faults.ts). Table
   * creation and `LocalStack.dynamo` are not wrapped.
   */
  wrapDynamo?: (doc: DynamoDBDocumentClient) => DynamoDBDocumentClient;
  now?: () => Date;
  log?: Log;
  /**
   * The HeyGen webhook secret; default HEYGEN_WEBHOOK_SECRET from `env`, else one made at start
   * (`LocalStack.webhookSecret`, which `npm start` prints).
   */
  webhookSecret?: string;
  /** Where results for tasks waiting on a hold go (the tests hand them to aws-local-stepfunctions). */
  taskResults?: TaskResultSender;
  /** Called for every alert that reaches the subscribed queue. */
  onNotification?: (notification: DeliveredNotification) => void;
  /** Called for every alert event the local EventBridge accepts. */
  onEvent?: (event: RecordedEvent) => void;
  /**
   * Require SigV4 signed with one of these keys on every request, as API Gateway's IAM auth does
   * (LOCAL_SIGV4=1); a request carries its key's principal ARN as `requestContext.authorizer.iam.userArn`.
   * Without: every request comes from LOCAL_PRINCIPAL.
   */
  sigv4?: LocalSigV4Keys | readonly LocalSigV4Keys[];
}

export interface LocalStack {
  url: string;
  config: QuotaGuardConfig;
  /** The HTTP API's services (a reading waits out at most API_MAX_RETRY_AFTER_MS of a `Retry-After`). */
  services: Services;
  /** The scheduled poller's services, as the poller Lambda wires them (`pollNow` uses them). */
  pollerServices: Services;
  dynamo: DynamoDbLocal;
  /** The Quota Guard table in `dynamo`. */
  tableName: string;
  sns: SnsLocal;
  /** The loopback EventBridge alerts are put on (when `alerts.eventBridge.enabled`), recording every event. */
  eventBridge: EventBridgeLocal;
  /** The HeyGen sandbox, when no real key was given. */
  sandbox?: HeyGenSandbox;
  /** The sandbox API key of each account served by the sandbox. */
  sandboxKeys: Record<string, string>;
  /** The secret `POST /v1/webhooks/heygen` verifies with (the sandbox's jobs sign with it). */
  webhookSecret: string;
  /** True when the stack made `webhookSecret` itself (no HEYGEN_WEBHOOK_SECRET given). */
  webhookSecretGenerated: boolean;
  /**
   * Polls as a schedule tick would: every configured account, or only `accountIds` (a test that watches one
   * account of a shared stack need not wait for the others). Raises Error for an id not in the config.
   */
  pollNow(tick?: string, accountIds?: readonly string[]): Promise<PollResult[]>;
  stop(): Promise<void>;
}

/** The configured accounts named by `ids`, in that order. Raises Error for an id the config does not have. */
function configuredAccounts(config: QuotaGuardConfig, ids: readonly string[]) {
  return ids.map((id) => {
    const account = config.accounts.find((a) => a.id === id);
    if (account === undefined) throw new Error(`pollNow: no account "${id}" in the config`);
    return account;
  });
}

/** The sandbox key of an account: the default account gets the documented `sandbox-key`. */
export function sandboxKeyFor(accountId: string): string {
  return accountId === "default" ? DEFAULT_SANDBOX_ACCOUNT.apiKey : `sandbox-key-${accountId}`;
}

/**
 * The whole product on this machine: DynamoDB Local, fauxqs (SNS) with a subscribed queue, a loopback
 * EventBridge (eventbridge-local.ts), the HeyGen
 * sandbox for every account without a real key, the API on loopback and the poller on a timer. They are
 * wired by the Lambda entry points' wiring (runtime/wiring.ts); only the adapters' endpoints and secrets differ.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const config = options.config ?? parseConfig({});
  const env = options.env ?? process.env;
  // Lines for a person at a terminal (local/console.ts); in AWS the Lambdas log JSON through Powertools.
  const log = options.log ?? humanLog();
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => undefined);
    stops.length = 0;
  };

  try {
    const [dynamo, sns, eventBridge] = await Promise.all([
      options.dynamoEndpoint
        ? connectDynamoDbLocal(options.dynamoEndpoint, { keepTables: options.dynamoTable !== undefined })
        : startDynamoDbLocal(),
      startSnsLocal(),
      startEventBridgeLocal(options.onEvent ? { onEvent: options.onEvent } : {}),
    ]);
    stops.push(
      () => dynamo.stop(),
      () => sns.stop(),
      () => eventBridge.stop(),
    );
    const tableName = await dynamo.createTable(
      options.dynamoEndpoint ? options.dynamoTable : TABLE.localName,
    );

    // An empty variable (`HEYGEN_API_KEY=` as .env files leave it) means unset, hence `||` below, not `??`.
    const realBaseUrl = env[ENV.heygenBaseUrl] || undefined;
    const sandboxed = config.accounts.filter((a) => !env[a.apiKeyEnv]);
    const sandboxKeys = Object.fromEntries(sandboxed.map((a) => [a.id, sandboxKeyFor(a.id)]));
    let sandbox: HeyGenSandbox | undefined;
    if (sandboxed.length > 0 && !realBaseUrl) {
      sandbox = await startHeyGenSandbox({
        latencyMs: options.sandboxLatencyMs ?? 0,
        // A video is charged by the card the guard prices the account's holds with, so the two agree.
        accounts: sandboxed.map((a) => ({
          ...DEFAULT_SANDBOX_ACCOUNT,
          apiKey: sandboxKeyFor(a.id),
          ...(a.rateCard ? { rateCard: a.rateCard } : {}),
        })),
        rateCards: config.rateCards,
        ...(options.sandboxChargeDelayMs === undefined
          ? {}
          : { chargeDelayMs: options.sandboxChargeDelayMs }),
      });
      stops.push(() => sandbox?.close() ?? Promise.resolve());
    }

    const givenSecret = options.webhookSecret ?? env.HEYGEN_WEBHOOK_SECRET;
    const webhookSecret = givenSecret || `whsec_${randomBytes(24).toString("base64url")}`;
    // The Lambdas' wiring (runtime/wiring.ts) with local adapters: only the endpoints and secrets differ.
    const adapters: Adapters = {
      config,
      doc: options.wrapDynamo ? options.wrapDynamo(dynamo.doc) : dynamo.doc,
      tableName,
      heygenBaseUrl: sandbox?.url ?? realBaseUrl ?? DEFAULT_HEYGEN_BASE_URL,
      apiKeyFor: (account) => env[account.apiKeyEnv] || sandboxKeyFor(account.id),
      alerts: { sns: sns.sns, topicArn: sns.topicArn },
      ...(config.alerts.eventBridge.enabled
        ? { eventBus: { client: eventBridge.client, busName: config.alerts.eventBridge.busName } }
        : {}),
      webhookSecret: async () => webhookSecret,
      ...(options.taskResults ? { taskResults: options.taskResults } : {}),
      ...(options.heygenTimeoutMs ? { heygenTimeoutMs: options.heygenTimeoutMs } : {}),
      ...(options.heygenSleep ? { heygenSleep: options.heygenSleep } : {}),
      ...(options.storeSleep ? { storeSleep: options.storeSleep } : {}),
      ...(options.now ? { now: options.now } : {}),
      log,
    };
    const poller = wirePoller(adapters);
    // One HTTP API serves every route here; in AWS the webhook's two routes have their own function.
    const api = wireHttpApi(adapters, {
      unexpectedError: (error, site) => log.error("unexpected", { error: String(error), ...site }),
    });

    const port = options.port === 0 || options.port === undefined ? await freePort() : options.port;
    const ring = options.sigv4 === undefined ? undefined : [options.sigv4].flat();
    const server: Server = await serveHttpApi((event, context: Context) => api.handle(event, context), {
      port,
      statics: { files: await statusPageAssets(), headers: STATUS_PAGE_HEADERS },
      // The page's own reads (GETs only) pass without SigV4: a browser has no AWS keys (status-page.ts).
      pageReads: pageReadTarget,
      unsignedCaller: { accessKey: "local", userArn: LOCAL_PRINCIPAL },
      // As in AWS, the routes without IAM (HeyGen's webhook) are not signed: their HMAC signature is checked.
      ...(ring
        ? {
            authorize: async (req, body) => {
              if (UNSIGNED_ROUTES.some((r) => r.method === req.method && r.path === req.url?.split("?")[0])) {
                return {};
              }
              const refused = await sigV4Refusal(req, body, ring);
              if (refused !== undefined) return { refused };
              const key = signingKeyOf(req, ring) as LocalSigV4Keys;
              return { caller: { accessKey: key.accessKeyId, userArn: key.arn } };
            },
          }
        : {}),
    });
    await sandbox?.setWebhook({
      url: `http://127.0.0.1:${port}${HEYGEN_WEBHOOK_ROUTE.path}`,
      secret: webhookSecret,
    });
    // Keep-alive connections would hold close() open; a stopping stack answers no one.
    stops.push(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    );

    const clock = options.now ?? (() => new Date());
    // Ticks come from the stack's clock, as the snapshots' times do, so a history query finds them.
    const pollNow = (tick = clock().toISOString(), accountIds?: readonly string[]) =>
      accountIds === undefined
        ? poller.poll(tick)
        : pollAccounts(poller.services, tick, configuredAccounts(poller.services.config, accountIds));

    if (options.onNotification) {
      const onNotification = options.onNotification;
      let draining = true;
      const loop = (async () => {
        while (draining) {
          const delivered = await sns.drain(1).catch(() => []);
          for (const n of delivered) onNotification(n);
          if (delivered.length === 0) await new Promise((r) => setTimeout(r, 250));
        }
      })();
      stops.unshift(async () => {
        draining = false;
        await loop;
      });
    }

    const intervalSeconds = options.pollIntervalSeconds ?? 0;
    if (intervalSeconds > 0) {
      const timer = setInterval(() => {
        // Ticks are aligned to the interval, as EventBridge's are to its schedule.
        const tick = new Date(
          Math.floor(clock().getTime() / (intervalSeconds * 1000)) * intervalSeconds * 1000,
        );
        pollNow(tick.toISOString()).catch((error) =>
          log.error("scheduled poll failed", { error: String(error) }),
        );
      }, intervalSeconds * 1000);
      stops.unshift(async () => clearInterval(timer));
    }

    return {
      url: `http://127.0.0.1:${port}`,
      config,
      services: api.services,
      pollerServices: poller.services,
      dynamo,
      tableName,
      sns,
      eventBridge,
      ...(sandbox ? { sandbox } : {}),
      sandboxKeys,
      webhookSecret,
      webhookSecretGenerated: !givenSecret,
      pollNow,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
