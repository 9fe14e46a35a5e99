import type { Server } from "node:http";
import type { SNSClient } from "@aws-sdk/client-sns";
import type { AccountConfig, QuotaGuardConfig } from "#config/config";
import { createDocumentClient, createLocalDynamoClient } from "#local/dynamodb-local";
import { freePort } from "#local/free-port";
import { serveHttpApi } from "#local/http-adapter";
import { wireHttpApi } from "#runtime/http-wiring";
import { wirePoller } from "#runtime/wiring";
import type { Log, Services } from "#service/services";

export interface ApiOverDynamoOptions {
  /** DynamoDB Local's endpoint; the API keeps its own client, so the database can stop and start under it. */
  dynamoEndpoint: string;
  tableName: string;
  config: QuotaGuardConfig;
  heygenBaseUrl: string;
  apiKeyFor: (account: AccountConfig) => string;
  log: Log;
  /** When given, `poller` publishes alerts through it (as the poller Lambda does). */
  alerts?: { sns: SNSClient; topicArn: string };
}

export interface ApiOverDynamo {
  url: string;
  api: Services;
  poller: Services;
  close(): Promise<void>;
}

/**
 * The Lambdas' wiring (runtime/wiring.ts) behind the local HTTP adapter, over a DynamoDB the test owns,
 * for the dependency-fault tests that stop and restart DynamoDB Local or fauxqs underneath a running API.
 */
export async function startApiOverDynamo(options: ApiOverDynamoOptions): Promise<ApiOverDynamo> {
  const client = createLocalDynamoClient(options.dynamoEndpoint);
  const adapters = {
    config: options.config,
    doc: createDocumentClient(client),
    tableName: options.tableName,
    heygenBaseUrl: options.heygenBaseUrl,
    apiKeyFor: options.apiKeyFor,
    log: options.log,
  };
  const http = wireHttpApi(adapters, {
    unexpectedError: (error, site) => options.log.error("unexpected", { error: String(error), ...site }),
  });
  const poller = wirePoller({ ...adapters, ...(options.alerts ? { alerts: options.alerts } : {}) });
  const port = await freePort();
  const server: Server = await serveHttpApi((event, context) => http.handle(event, context), { port });
  return {
    url: `http://127.0.0.1:${port}`,
    api: http.services,
    poller: poller.services,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      client.destroy();
    },
  };
}
