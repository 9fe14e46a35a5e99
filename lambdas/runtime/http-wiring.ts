import type { APIGatewayProxyEventV2, Context } from "aws-lambda";
import { resolveHttpEvent } from "#api/resolve";
import { type ApiObserver, createRouter, type RouteServer } from "#api/router";
import { ROUTE_SERVERS } from "#api/routes";
import type { Services } from "#service/services";
import { type Adapters, createServices } from "./wiring.ts";

/**
 * The longest `Retry-After` a reading waits out inside the API or webhook function (whose Lambda times out
 * after 10 s); a longer one is stored as the account's `retryNotBefore`. The poller waits up to HeyGen's
 * CLI's 30 s (the client's default).
 */
export const API_MAX_RETRY_AFTER_MS = 3_000;

/** The HTTP API (every route, or one function's) as one API Gateway payload 2.0 handler. */
export interface HttpApi {
  services: Services;
  handle(event: APIGatewayProxyEventV2, context: Context): Promise<unknown>;
}

/**
 * The API's services and a router of `servers`' routes (one function's, in Lambda): a refresh is a reading
 * like the schedule's (one reading path), so it alerts; it waits out at most API_MAX_RETRY_AFTER_MS of a
 * `Retry-After`.
 */
export function wireHttpFunction(adapters: Adapters, observer: ApiObserver, servers: RouteServer[]): HttpApi {
  const services = createServices(adapters, API_MAX_RETRY_AFTER_MS);
  const router = createRouter(services, observer, servers);
  return { services, handle: (event, context) => resolveHttpEvent(router, event, context) };
}

/** Every function's routes on one router, as the local stack and the tests serve the API. */
export function wireHttpApi(adapters: Adapters, observer: ApiObserver = {}): HttpApi {
  return wireHttpFunction(adapters, observer, Object.values(ROUTE_SERVERS));
}
