import type { Router } from "@aws-lambda-powertools/event-handler/http";
import type { Services } from "#service/services";
import { type ApiObserver, createRouter, type RouteServer } from "./router.ts";
import { serveApiRoutes } from "./served-api.ts";
import { serveReportRoutes } from "./served-reports.ts";
import { serveWebhookRoutes } from "./served-webhook.ts";

export type { ApiObserver, RouteServer } from "./router.ts";

/** Each Lambda's routes, by the route table's `servedBy`. */
export const ROUTE_SERVERS = {
  api: serveApiRoutes,
  webhook: serveWebhookRoutes,
  reports: serveReportRoutes,
} as const satisfies Record<string, RouteServer>;

/** The whole HTTP API of docs/api.md, every function's routes on one router (the local stack, tests). */
export function createApiRouter(services: Services, observer: ApiObserver = {}): Router {
  return createRouter(services, observer, Object.values(ROUTE_SERVERS));
}
