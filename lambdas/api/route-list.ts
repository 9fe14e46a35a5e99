/**
 * The HTTP API's routes (design §8), listed one by one so that every route carries IAM authorization and
 * an execute-api grant can name exactly the routes a caller needs.
 */
export interface ApiRoute {
  readonly method: "GET" | "POST";
  readonly path: string;
}

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
export const LIST_ROUTE = { method: "GET", path: "/v1/reservations" } as const satisfies ApiRoute;

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
  { method: "GET", path: "/v1/accounts" },
  { method: "GET", path: "/v1/accounts/{id}" },
  { method: "GET", path: "/v1/accounts/{id}/history" },
  { method: "GET", path: "/v1/accounts/{id}/alerts" },
  { method: "POST", path: "/v1/accounts/{id}/refresh" },
  { method: "POST", path: "/v1/accounts/{id}/test-alert" },
  { method: "GET", path: "/openapi.json" },
];

/** The execute-api resource path of a route: path parameters become a wildcard. */
export function executeApiPath(route: ApiRoute): string {
  return route.path.replace(/\{[^}]+\}/g, "*");
}
