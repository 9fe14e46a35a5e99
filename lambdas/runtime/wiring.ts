import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { AccountConfig, QuotaGuardConfig } from "#config/config";
import { createRateCardRegistry } from "#core/rate-card";
import { HeyGenClient } from "#heygen/client";
import { AlertOutlets, type NamedOutlet } from "#notify/alert-outlets";
import { type EventBridgeClientSource, EventBridgePublisher } from "#notify/eventbridge-publisher";
import { type SnsClientSource, SnsNotifier } from "#notify/sns-notifier";
import { claimedIn, sendDueDigests } from "#service/digests";
import type { PollResult } from "#service/poll-account";
import { pollAccounts } from "#service/poll-accounts";
import type { Log, Services, TaskResultSender } from "#service/services";
import { SPEND_ALERTS } from "#service/spend-alerts";
import { createDynamoStore } from "#store/dynamo-store";
import { THROTTLE_RETRY } from "#store/throttling";

/**
 * The one wiring of adapters into use cases, for the Lambda entry points (runtime/lambda-*.ts), the local
 * stack (local/stack.ts) and the tests: only where each adapter points differs between them. The HTTP API's
 * part is in http-wiring.ts, so that the poller's bundle carries no router.
 */

export const DEFAULT_HEYGEN_BASE_URL = "https://api.heygen.com";

/** Where each adapter points: AWS (runtime/aws.ts) or this machine (local/stack.ts, the tests). */
export interface Adapters {
  config: QuotaGuardConfig;
  doc: DynamoDBDocumentClient;
  tableName: string;
  /** Where HeyGen is (the sandbox locally). */
  heygenBaseUrl: string;
  /** Resolves an account's HeyGen key (Secrets Manager in AWS, an environment variable locally). */
  apiKeyFor(account: AccountConfig): Promise<string> | string;
  /**
   * The alerts topic every reading (the poller's and the API's refreshes) and test alert publishes to;
   * without one, planned alerts are logged as failed and planned again next reading.
   */
  alerts?: { sns: SnsClientSource; topicArn: string };
  /** The EventBridge bus every alert is also put on (config `alerts.eventBridge`); without one, none is put. */
  eventBus?: { client: EventBridgeClientSource; busName: string };
  taskResults?: TaskResultSender;
  /** Resolves the HeyGen webhook secret (Secrets Manager in AWS, an environment variable locally). */
  webhookSecret?: () => Promise<string | undefined>;
  /** HeyGen's transport (AWS: each call timed into a metric, runtime/call-timings.ts); default the global fetch. */
  heygenFetch?: typeof fetch;
  /** Per HeyGen call, in ms (default: the client's). */
  heygenTimeoutMs?: number;
  /** How the HeyGen client waits between retries (default: real time; tests inject one that does not wait). */
  heygenSleep?: (ms: number) => Promise<void>;
  /** How the store waits between retries of a throttled write (default: real time; tests inject one that does not wait). */
  storeSleep?: (ms: number) => Promise<void>;
  now?: () => Date;
  log: Log;
}

/** The use cases' Services over the adapters; `heygenMaxRetryAfterMs` (ms) defaults to the client's 30 s. */
export function createServices(adapters: Adapters, heygenMaxRetryAfterMs?: number): Services {
  const clients = new Map<string, HeyGenClient>();
  const clientFor = (account: AccountConfig): HeyGenClient => {
    let client = clients.get(account.id);
    if (!client) {
      client = new HeyGenClient({
        baseUrl: adapters.heygenBaseUrl,
        apiKey: () => adapters.apiKeyFor(account),
        apiVersion: account.apiVersion,
        ...(account.spendPool ? { spendPool: account.spendPool } : {}),
        // An account that has not said which pool pays is told when a low wallet sits beside plan credits (G8).
        ...(account.spendPool === undefined ? { planCreditHintAtOrBelow: account.thresholds.warning } : {}),
        ...(adapters.heygenFetch ? { fetch: adapters.heygenFetch } : {}),
        ...(adapters.heygenTimeoutMs ? { timeoutMs: adapters.heygenTimeoutMs } : {}),
        ...(heygenMaxRetryAfterMs !== undefined ? { maxRetryAfterMs: heygenMaxRetryAfterMs } : {}),
        ...(adapters.heygenSleep ? { sleep: adapters.heygenSleep } : {}),
        // Snapshots must be observed on the same clock the use cases judge their age by.
        ...(adapters.now ? { now: adapters.now } : {}),
      });
      clients.set(account.id, client);
    }
    return client;
  };
  const publisher = alertOutlets(adapters);
  return {
    config: adapters.config,
    store: createDynamoStore(
      adapters.doc,
      adapters.tableName,
      adapters.storeSleep ? { ...THROTTLE_RETRY, sleep: adapters.storeSleep } : THROTTLE_RETRY,
    ),
    rateCards: createRateCardRegistry(adapters.config.rateCards),
    balanceSource: clientFor,
    videoSource: clientFor,
    ...(adapters.webhookSecret ? { webhookSecret: adapters.webhookSecret } : {}),
    ...(adapters.taskResults ? { taskResults: adapters.taskResults } : {}),
    ...(publisher ? { publisher } : {}),
    now: adapters.now ?? (() => new Date()),
    log: adapters.log,
  };
}

/** The one publisher of every alert: SNS first, then EventBridge (notify/alert-outlets.ts); none without either. */
function alertOutlets({ alerts, eventBus }: Pick<Adapters, "alerts" | "eventBus">): AlertOutlets | undefined {
  const outlets: NamedOutlet[] = [
    ...(alerts ? [{ name: "sns" as const, publisher: new SnsNotifier(alerts.sns, alerts.topicArn) }] : []),
    ...(eventBus
      ? [
          {
            name: "eventbridge" as const,
            publisher: new EventBridgePublisher(eventBus.client, eventBus.busName),
          },
        ]
      : []),
  ];
  return outlets.length > 0 ? new AlertOutlets(outlets) : undefined;
}

export interface Poller {
  services: Services;
  /** Polls every configured account for one schedule tick (ISO time); see pollAccounts. */
  poll(tick: string): Promise<PollResult[]>;
}

/**
 * The scheduled poller's services: HeyGen's `Retry-After` is waited out up to the client's 30 s. A poll of
 * every account then sends the digests that are due (service/digests.ts), so they ride the same schedule.
 */
export function wirePoller(adapters: Adapters): Poller {
  const services: Services = { ...createServices(adapters), spendAlerts: SPEND_ALERTS };
  return {
    services,
    async poll(tick) {
      const results = await pollAccounts(services, tick);
      await sendDueDigests(services, claimedIn(results));
      return results;
    },
  };
}
