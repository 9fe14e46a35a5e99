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
 * decode (the router's decodeURIComponent would throw a URIError, a 500; here it is a 400 problem).
 */
export async function resolveHttpEvent(
  router: Router,
  event: APIGatewayProxyEventV2,
  context: Context,
): Promise<unknown> {
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
