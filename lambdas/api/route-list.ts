import { ROUTES, type RouteSpec } from "./route-table.ts";

/**
 * The routes as infra sees them, derived from the route table (route-table.ts): every route is listed
 * explicitly so that each carries its authorization and an execute-api grant can name exactly the routes
 * a caller needs.
 */
export interface ApiRoute {
  readonly method: "GET" | "POST";
  readonly path: string;
}

const routeOf = ({ method, path }: RouteSpec): ApiRoute => ({ method, path });
const all = Object.values(ROUTES) as RouteSpec[];

/**
 * HeyGen's webhook deliveries: the one route without IAM (HeyGen cannot sign SigV4), authenticated by
 * HeyGen's webhook signature instead (lambdas/core/webhook-signature.ts), with its own throttling.
 */
export const HEYGEN_WEBHOOK_ROUTE = routeOf(ROUTES.heygenWebhook);
export const RESERVE_ROUTE = routeOf(ROUTES.reserve);
export const COMMIT_ROUTE = routeOf(ROUTES.commit);
export const RELEASE_ROUTE = routeOf(ROUTES.release);
export const EXTEND_ROUTE = routeOf(ROUTES.extend);
/** Served by the webhook function in AWS: only it may send task results (infra/heygen-webhook.ts). */
export const WAIT_ROUTE = routeOf(ROUTES.wait);
export const LIST_ROUTE = routeOf(ROUTES.listReservations);

/** Every route the router serves. */
export const ALL_ROUTES: readonly ApiRoute[] = all.map(routeOf);

/** The routes called with IAM (SigV4); HEYGEN_WEBHOOK_ROUTE is the only other one. */
export const API_ROUTES: readonly ApiRoute[] = all.filter((r) => r.auth === "iam").map(routeOf);

/** The routes API Gateway sends to the webhook function, the only one that may send task results. */
export const WEBHOOK_FUNCTION_ROUTES: readonly ApiRoute[] = all
  .filter((r) => r.servedBy === "webhook")
  .map(routeOf);

/** The routes API Gateway sends to the API function. */
export const API_FUNCTION_ROUTES: readonly ApiRoute[] = all.filter((r) => r.servedBy === "api").map(routeOf);

/** The execute-api resource path of a route: path parameters become a wildcard. */
export function executeApiPath(route: ApiRoute): string {
  return route.path.replace(/\{[^}]+\}/g, "*");
}
