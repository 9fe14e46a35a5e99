import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { AccountConfig, QuotaGuardConfig } from "#config/config";
import { createRateCardRegistry } from "#core/rate-card";
import { HeyGenClient } from "#heygen/client";
import type { AlertPublisher, Log, Services, TaskResultSender } from "#service/services";
import { createDynamoStore } from "#store/dynamo-store";

export const DEFAULT_HEYGEN_BASE_URL = "https://api.heygen.com";

export interface ServiceWiring {
  config: QuotaGuardConfig;
  doc: DynamoDBDocumentClient;
  tableName: string;
  /** Where HeyGen is (the sandbox locally). */
  heygenBaseUrl: string;
  /** Resolves an account's HeyGen key (Secrets Manager in AWS, an environment variable locally). */
  apiKeyFor(account: AccountConfig): Promise<string> | string;
  /** Publishes the alerts of every reading (the poller's and the API's refreshes) and test alerts. */
  publisher?: AlertPublisher;
  taskResults?: TaskResultSender;
  /** Resolves the HeyGen webhook secret (Secrets Manager in AWS, an environment variable locally). */
  webhookSecret?: () => Promise<string | undefined>;
  heygenTimeoutMs?: number;
  /** The longest `Retry-After` waited out inside one reading (default: the client's 30 s). */
  heygenMaxRetryAfterMs?: number;
  /** How the HeyGen client waits between retries (default: real time; tests inject one that does not wait). */
  heygenSleep?: (ms: number) => Promise<void>;
  now?: () => Date;
  log: Log;
}

/** Wires the adapters into the use cases' Services, the same way in Lambda and in the local stack. */
export function createServices(wiring: ServiceWiring): Services {
  const store = createDynamoStore(wiring.doc, wiring.tableName);
  const clients = new Map<string, HeyGenClient>();
  const clientFor = (account: AccountConfig): HeyGenClient => {
    let client = clients.get(account.id);
    if (!client) {
      client = new HeyGenClient({
        baseUrl: wiring.heygenBaseUrl,
        apiKey: () => wiring.apiKeyFor(account),
        apiVersion: account.apiVersion,
        ...(wiring.heygenTimeoutMs ? { timeoutMs: wiring.heygenTimeoutMs } : {}),
        ...(wiring.heygenMaxRetryAfterMs !== undefined
          ? { maxRetryAfterMs: wiring.heygenMaxRetryAfterMs }
          : {}),
        ...(wiring.heygenSleep ? { sleep: wiring.heygenSleep } : {}),
        // Snapshots must be observed on the same clock the use cases judge their age by.
        ...(wiring.now ? { now: wiring.now } : {}),
      });
      clients.set(account.id, client);
    }
    return client;
  };
  return {
    config: wiring.config,
    store,
    rateCards: createRateCardRegistry(wiring.config.rateCards),
    balanceSource: clientFor,
    videoSource: clientFor,
    ...(wiring.webhookSecret ? { webhookSecret: wiring.webhookSecret } : {}),
    ...(wiring.taskResults ? { taskResults: wiring.taskResults } : {}),
    ...(wiring.publisher ? { publisher: wiring.publisher } : {}),
    now: wiring.now ?? (() => new Date()),
    log: wiring.log,
  };
}
