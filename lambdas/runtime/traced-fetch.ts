import type { Tracer } from "@aws-lambda-powertools/tracer";

/**
 * `fetch` for the HeyGen client with one X-Ray subsegment per call (`HeyGen GET /v3/users/me`), annotated
 * with the path and the status. Only the method, the path and the status are recorded: never the query,
 * a header (the key travels in `X-Api-Key`) or a body. The subsegment is not made current, so concurrent
 * polls cannot nest under each other. With tracing off (tests, the local stack) it is plain `fetch`.
 */
export function tracedFetch(tracer: Tracer, fetchFn: typeof fetch = fetch): typeof fetch {
  if (!tracer.isTracingEnabled()) return fetchFn;
  return async (input, init) => {
    const parent = tracer.getSegment();
    if (!parent) return fetchFn(input, init);
    const url = new URL(input instanceof Request ? input.url : String(input));
    const method = init?.method ?? (input instanceof Request ? input.method : "GET");
    const subsegment = parent.addNewSubsegment(`HeyGen ${method} ${url.pathname}`);
    subsegment.namespace = "remote";
    subsegment.addAnnotation("heygenPath", url.pathname);
    try {
      const response = await fetchFn(input, init);
      subsegment.addAnnotation("httpStatus", response.status);
      if (response.status === 429) subsegment.addThrottleFlag();
      else if (response.status >= 500) subsegment.addFaultFlag();
      else if (response.status >= 400) subsegment.addErrorFlag();
      return response;
    } catch (error) {
      subsegment.addError(error instanceof Error ? error : String(error), true);
      throw error;
    } finally {
      subsegment.close();
    }
  };
}
