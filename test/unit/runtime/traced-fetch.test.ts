import { Tracer } from "@aws-lambda-powertools/tracer";
// The X-Ray SDK under Powertools' Tracer: the segment Lambda would open for the invocation is made here.
import xray from "aws-xray-sdk-core";
import { afterEach, describe, expect, it, vi } from "vitest";
import { tracedFetch } from "#runtime/traced-fetch";

/**
 * tracedFetch, with tracing on as inside Lambda: one closed subsegment per HeyGen call under the current
 * segment, named by method and path, flagged by status, and holding no header, query or body (so no key).
 */

const KEY = "sk-traced-fetch-key-77a1";

function lambdaTracer(): Tracer {
  vi.stubEnv("AWS_EXECUTION_ENV", "AWS_Lambda_nodejs24.x");
  vi.stubEnv("POWERTOOLS_TRACE_ENABLED", "true");
  return new Tracer({ serviceName: "quota-guard", captureHTTPsRequests: false });
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("tracedFetch", () => {
  it("is the plain fetch when tracing is off (outside Lambda)", () => {
    vi.stubEnv("POWERTOOLS_TRACE_ENABLED", "false");
    const plain: typeof fetch = async () => new Response("{}");
    expect(tracedFetch(new Tracer({ serviceName: "quota-guard" }), plain)).toBe(plain);
  });

  it("records one subsegment per call with the path and status, and never the key", async () => {
    const tracer = lambdaTracer();
    const answers = [new Response("{}", { status: 200 }), new Response("{}", { status: 429 })];
    const fetchFn: typeof fetch = async () => answers.shift() ?? new Response("", { status: 500 });
    const traced = tracedFetch(tracer, fetchFn);
    const parent = new xray.Segment("quota-guard-api");
    const init = { method: "GET", headers: { "X-Api-Key": KEY } };
    await xray.getNamespace().runPromise(async () => {
      tracer.setSegment(parent);
      await traced(new URL(`https://api.heygen.com/v3/users/me?key=${KEY}`), init);
      await traced(new URL("https://api.heygen.com/v1/video_status.get?video_id=v1"), init);
    });
    const recorded = JSON.parse(JSON.stringify(parent)) as {
      subsegments?: {
        name: string;
        annotations: Record<string, unknown>;
        throttle?: boolean;
        in_progress?: boolean;
      }[];
    };
    const subsegments = recorded.subsegments ?? [];
    expect(subsegments.map((s) => [s.name, s.annotations])).toEqual([
      ["HeyGen GET /v3/users/me", { heygenPath: "/v3/users/me", httpStatus: 200 }],
      ["HeyGen GET /v1/video_status.get", { heygenPath: "/v1/video_status.get", httpStatus: 429 }],
    ]);
    expect(subsegments[1]?.throttle).toBe(true);
    expect(subsegments.some((s) => s.in_progress)).toBe(false);
    expect(JSON.stringify(parent)).not.toContain(KEY);
  });
});
