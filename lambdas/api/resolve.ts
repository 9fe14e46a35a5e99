import type { Router } from "@aws-lambda-powertools/event-handler/http";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import { PROBLEM_CONTENT_TYPE, type Problem, problemContextOf, problems } from "./problem.ts";

/** The methods the router can turn into a fetch Request; any other it answers with a bare 405. */
const ROUTER_METHODS = new Set(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]);
/** fetch's Request throws on a body with these; API Gateway forwards one anyway. */
const BODILESS_METHODS = new Set(["GET", "HEAD"]);

/**
 * Hands an API Gateway (payload 2.0) event to the router after removing the ways a client could make it
 * fail outside the routes: a body on GET or HEAD (meaningless per RFC 9110, so dropped), a method the
 * router does not know (a 405 problem, like every other error) and a path whose percent-encoding does not
 * decode (the router's decodeURIComponent would throw a URIError, a 500; here it is a 400 problem). Behind a
 * custom domain's API mapping key or in a named stage, the path is first cut to the one API Gateway matched
 * (routedPath).
 */
export async function resolveHttpEvent(
  router: Router,
  received: APIGatewayProxyEventV2,
  context: Context,
): Promise<unknown> {
  const event = withRoutedPath(received);
  const method = event.requestContext.http.method.toUpperCase();
  if (!ROUTER_METHODS.has(method))
    return problemResult(problems.methodNotAllowed(method, event.rawPath), event);
  if (!decodes(event.rawPath)) {
    return problemResult(
      problems.validation([{ pointer: "/path", detail: "is not valid percent-encoding" }], "request path"),
      event,
    );
  }
  if (BODILESS_METHODS.has(method) && event.body !== undefined) {
    const { body: _ignored, ...withoutBody } = event;
    return router.resolve({ ...withoutBody, isBase64Encoded: false }, context);
  }
  return router.resolve(event, context);
}

/**
 * The path API Gateway matched the event's route on. Behind a custom domain with an API mapping key
 * (`api.example.com/quota-guard`), or in a stage other than `$default`, API Gateway matches the route without
 * that prefix but leaves it in `rawPath` and `requestContext.http.path` (field case G9: aws-powertools
 * python#621, serverless-express#653), so a router on `rawPath` would 404 every route. The payload-2.0
 * `routeKey` (`POST /v1/reservations/{id}/commit`) names the route that matched: the path is the part of
 * `rawPath` that matches its template, segment for segment from the end, and the prefix before it is dropped.
 * `$default` (the local adapter, a catch-all route), a greedy template or a path that does not end in the
 * template leave `rawPath` as it is.
 */
export function routedPath(event: Pick<APIGatewayProxyEventV2, "routeKey" | "rawPath">): string {
  const template = /^[A-Z]+ (\/\S*)$/.exec(event.routeKey ?? "")?.[1];
  if (!template || template.includes("+}")) return event.rawPath;
  const want = template.split("/").slice(1);
  const got = event.rawPath.split("/").slice(1);
  if (got.length <= want.length) return event.rawPath;
  const tail = got.slice(got.length - want.length);
  const matches = want.every((part, i) => (part.startsWith("{") ? tail[i] !== "" : part === tail[i]));
  return matches ? `/${tail.join("/")}` : event.rawPath;
}

function withRoutedPath(event: APIGatewayProxyEventV2): APIGatewayProxyEventV2 {
  const path = routedPath(event);
  if (path === event.rawPath) return event;
  const { requestContext } = event;
  return {
    ...event,
    rawPath: path,
    requestContext: { ...requestContext, http: { ...requestContext.http, path } },
  };
}

function decodes(path: string): boolean {
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}

function problemResult(problem: Problem, event: APIGatewayProxyEventV2): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: problem.status,
    headers: { "content-type": PROBLEM_CONTENT_TYPE },
    body: JSON.stringify(problem.body(problemContextOf(event))),
  };
}
