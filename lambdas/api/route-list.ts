/**
 * The HTTP API's routes (design §8), listed one by one so that every route carries IAM authorization and
 * an execute-api grant can name exactly the routes a caller needs.
 */
export interface ApiRoute {
  readonly method: "GET" | "POST";
  readonly path: string;
}

/**
 * HeyGen's webhook deliveries: the one route without IAM (HeyGen cannot sign SigV4), authenticated by
 * HeyGen's webhook signature instead (lambdas/core/webhook-signature.ts), with its own throttling.
 */
export const HEYGEN_WEBHOOK_ROUTE = {
  method: "POST",
  path: "/v1/webhooks/heygen",
} as const satisfies ApiRoute;

export const RESERVE_ROUTE = { method: "POST", path: "/v1/reservations" } as const satisfies ApiRoute;
export const COMMIT_ROUTE = {
  method: "POST",
  path: "/v1/reservations/{id}/commit",
} as const satisfies ApiRoute;
export const RELEASE_ROUTE = {
  method: "POST",
  path: "/v1/reservations/{id}/release",
} as const satisfies ApiRoute;
export const EXTEND_ROUTE = {
  method: "POST",
  path: "/v1/reservations/{id}/extend",
} as const satisfies ApiRoute;
/** Served by the webhook function in AWS: only it may send task results (infra/heygen-webhook.ts). */
export const WAIT_ROUTE = { method: "POST", path: "/v1/reservations/{id}/wait" } as const satisfies ApiRoute;
export const LIST_ROUTE = { method: "GET", path: "/v1/reservations" } as const satisfies ApiRoute;

/** The routes called with IAM (SigV4); HEYGEN_WEBHOOK_ROUTE is the only other one. */
export const API_ROUTES: readonly ApiRoute[] = [
  { method: "GET", path: "/v1/health" },
  { method: "GET", path: "/v1/rate-cards" },
  { method: "POST", path: "/v1/estimates" },
  { method: "POST", path: "/v1/checks" },
  RESERVE_ROUTE,
  LIST_ROUTE,
  { method: "GET", path: "/v1/reservations/{id}" },
  COMMIT_ROUTE,
  RELEASE_ROUTE,
  EXTEND_ROUTE,
  WAIT_ROUTE,
  { method: "GET", path: "/v1/accounts" },
  { method: "GET", path: "/v1/accounts/{id}" },
  { method: "GET", path: "/v1/accounts/{id}/history" },
  { method: "GET", path: "/v1/accounts/{id}/alerts" },
  { method: "GET", path: "/v1/accounts/{id}/events" },
  { method: "POST", path: "/v1/accounts/{id}/refresh" },
  { method: "POST", path: "/v1/accounts/{id}/test-alert" },
  { method: "GET", path: "/openapi.json" },
];

/** The routes API Gateway sends to the webhook function, the only one that may send task results. */
export const WEBHOOK_FUNCTION_ROUTES: readonly ApiRoute[] = [HEYGEN_WEBHOOK_ROUTE, WAIT_ROUTE];

/** Every route the router serves: the IAM routes and the webhook. */
export const ALL_ROUTES: readonly ApiRoute[] = [...API_ROUTES, HEYGEN_WEBHOOK_ROUTE];

/** The execute-api resource path of a route: path parameters become a wildcard. */
export function executeApiPath(route: ApiRoute): string {
  return route.path.replace(/\{[^}]+\}/g, "*");
}
