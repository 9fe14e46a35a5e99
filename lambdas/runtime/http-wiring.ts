import type { APIGatewayProxyEventV2, Context } from "aws-lambda";
import { resolveHttpEvent } from "#api/resolve";
import { type ApiObserver, createApiRouter } from "#api/routes";
import type { Services } from "#service/services";
import { type Adapters, createServices } from "./wiring.ts";

/**
 * The longest `Retry-After` a reading waits out inside the API or webhook function (whose Lambda times out
 * after 10 s); a longer one is stored as the account's `retryNotBefore`. The poller waits up to HeyGen's
 * CLI's 30 s (the client's default).
 */
export const API_MAX_RETRY_AFTER_MS = 3_000;

/** The HTTP API (every route, or the webhook function's two) as one API Gateway payload 2.0 handler. */
export interface HttpApi {
  services: Services;
  handle(event: APIGatewayProxyEventV2, context: Context): Promise<unknown>;
}

/**
 * The API's services and router: a refresh is a reading like the schedule's (one reading path), so it
 * alerts; it waits out at most API_MAX_RETRY_AFTER_MS of a `Retry-After`.
 */
export function wireHttpApi(adapters: Adapters, observer: ApiObserver = {}): HttpApi {
  const services = createServices(adapters, API_MAX_RETRY_AFTER_MS);
  const router = createApiRouter(services, observer);
  return { services, handle: (event, context) => resolveHttpEvent(router, event, context) };
}
