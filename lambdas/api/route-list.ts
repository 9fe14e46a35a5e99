import type { RouteSpec } from "./route-spec.ts";
import { ROUTES } from "./route-table.ts";

/**
 * The routes as infra sees them, derived from the route table (route-table.ts): every route is listed
 * explicitly so that each carries its authorization and an execute-api grant can name exactly the routes
 * a caller needs.
 */
export interface ApiRoute {
  readonly method: RouteSpec["method"];
  readonly path: string;
  /**
   * `iam` (SigV4); `heygen-signature`: no IAM, HeyGen's webhook signature checked by the function; `none`:
   * no IAM and nothing to check (HeyGen's OPTIONS probe of the webhook URL).
   */
  readonly auth: RouteSpec["auth"];
}

const routeOf = ({ method, path, auth }: RouteSpec): ApiRoute => ({ method, path, auth });
const all = Object.values(ROUTES) as RouteSpec[];

/**
 * HeyGen's webhook deliveries: the one route without IAM (HeyGen cannot sign SigV4), authenticated by
 * HeyGen's webhook signature instead (lambdas/core/webhook-signature.ts), with its own throttling.
 */
export const HEYGEN_WEBHOOK_ROUTE = routeOf(ROUTES.heygenWebhook);
export const RESERVE_ROUTE = routeOf(ROUTES.reserve);
export const COMMIT_ROUTE = routeOf(ROUTES.commit);
export const RELEASE_ROUTE = routeOf(ROUTES.release);
/** Served by the webhook function in AWS: only it may send task results (infra/heygen-webhook.ts). */
export const WAIT_ROUTE = routeOf(ROUTES.wait);

/** Every route the router serves. */
export const ALL_ROUTES: readonly ApiRoute[] = all.map(routeOf);

/**
 * The routes called without IAM (HeyGen's webhook and its OPTIONS probe): the local stack's SigV4 check
 * exempts them, as AWS does.
 */
export const UNSIGNED_ROUTES: readonly ApiRoute[] = ALL_ROUTES.filter((r) => r.auth !== "iam");

/** The routes API Gateway sends to the webhook function (infra/heygen-webhook.ts): it alone may send task results. */
export const WEBHOOK_FUNCTION_ROUTES: readonly ApiRoute[] = all
  .filter((r) => r.servedBy === "webhook")
  .map(routeOf);

/** The routes API Gateway sends to the reports function (infra/quota-guard.ts). */
export const REPORTS_FUNCTION_ROUTES: readonly ApiRoute[] = all
  .filter((r) => r.servedBy === "reports")
  .map(routeOf);

/** The routes API Gateway sends to the API function (infra/quota-guard-api.ts). */
export const API_FUNCTION_ROUTES: readonly ApiRoute[] = all.filter((r) => r.servedBy === "api").map(routeOf);

/** The methods a concrete path is served with (`/v1/reservations/rsv_a_1/commit` → POST); none: no such path. */
export function methodsAt(path: string): ApiRoute["method"][] {
  return ALL_ROUTES.filter((route) => templateMatches(route.path, path)).map((route) => route.method);
}

/**
 * The route a request was for, as `METHOD /template` (`GET /v1/accounts/{id}/history`), for log lines: the
 * template, not the path, so that lines group by route and carry no ids; `METHOD (no route)` when none matches.
 */
export function routeNameOf(method: string, path: string): string {
  const route = ALL_ROUTES.find((r) => r.method === method.toUpperCase() && templateMatches(r.path, path));
  return `${method.toUpperCase()} ${route ? route.path : "(no route)"}`;
}

function templateMatches(template: string, path: string): boolean {
  const [want, got] = [template.split("/"), path.split("/")];
  return want.length === got.length && want.every((part, i) => part.startsWith("{") || part === got[i]);
}

/** The execute-api resource path of a route: path parameters become a wildcard. */
export function executeApiPath(route: ApiRoute): string {
  return route.path.replace(/\{[^}]+\}/g, "*");
}
