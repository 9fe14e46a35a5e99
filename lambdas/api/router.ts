import { Router } from "@aws-lambda-powertools/event-handler/http";
import { recordAccessDenial } from "#service/access";
import type { Services } from "#service/services";
import { type ApiObserver, registerErrorHandlers } from "./errors.ts";

export type { ApiObserver } from "./errors.ts";

/** Registers one function's routes (served-*.ts) on a router. */
export type RouteServer = (app: Router, services: Services, observer: ApiObserver) => void;

/**
 * A router for the routes of `servers` (route-table.ts declares them; errors.ts turns use-case errors into
 * problems). Each Lambda builds one with its own server only (runtime/lambda-http.ts), so its bundle holds only
 * its own use cases; the local stack and the tests serve them all (routes.ts createApiRouter).
 */
export function createRouter(services: Services, observer: ApiObserver, servers: RouteServer[]): Router {
  const app = new Router();
  for (const serveRoutes of servers) serveRoutes(app, services, observer);
  // Every route's denial is audited here, once, whichever use case refused (service/access.ts).
  registerErrorHandlers(app, observer, (denial, request) => recordAccessDenial(services, denial, request));
  return app;
}
