import { Readable } from "node:stream";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { afterEach, describe, expect, it, vi } from "vitest";
import { METRIC } from "#config/observability";
import { CallTimings, dynamoDbOutcome, heygenOperation, heygenOutcome } from "#runtime/call-timings";

/**
 * The dependency latency metrics that replace the X-Ray subsegments: one sample per HeyGen call and per
 * DynamoDB command, named by a fixed operation and outcome (low cardinality, no key), written as EMF when the
 * invocation ends.
 */

const KEY = "sk-call-timings-key-77a1";

/** A clock that advances `step` ms on each read. */
function steppingClock(step: number): () => number {
  let t = 0;
  return () => {
    t += step;
    return t;
  };
}

/** The EMF lines `publish` writes, parsed. */
function published(timings: CallTimings): Record<string, unknown>[] {
  vi.stubEnv("POWERTOOLS_METRICS_DISABLED", "false");
  const lines: string[] = [];
  const log = vi.spyOn(console, "log").mockImplementation((line: string) => void lines.push(line));
  const metrics = () => {
    const m = new Metrics({ namespace: "QuotaGuard", serviceName: "quota-guard" });
    // Powertools writes through its own Console on stdout; route it to the spy.
    (m as unknown as { console: Console }).console = console;
    return m;
  };
  try {
    timings.publish(metrics);
  } finally {
    log.mockRestore();
  }
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("HeyGen operation and outcome names", () => {
  it("names a call by method and path template, whatever the base path, id or query", () => {
    expect(heygenOperation("get", "/v3/users/me")).toBe("GET /v3/users/me");
    expect(heygenOperation("GET", "/heygen/v2/user/remaining_quota")).toBe("GET /v2/user/remaining_quota");
    expect(heygenOperation("GET", "/v3/videos/vid_123")).toBe("GET /v3/videos/{id}");
    expect(heygenOperation("POST", "/v9/something/new")).toBe("POST other");
  });

  it("classes a status: 429 throttled, 5xx server, 4xx client, else success", () => {
    expect([200, 204, 400, 401, 429, 500, 503].map(heygenOutcome)).toEqual([
      "success",
      "success",
      "client-error",
      "client-error",
      "throttled",
      "server-error",
      "server-error",
    ]);
  });

  it("classes a DynamoDB failure by the error's name", () => {
    const named = (name: string) => Object.assign(new Error(name), { name });
    expect(dynamoDbOutcome(named("ConditionalCheckFailedException"))).toBe("condition-failed");
    expect(dynamoDbOutcome(named("TransactionCanceledException"))).toBe("cancelled");
    expect(dynamoDbOutcome(named("ThrottlingException"))).toBe("throttled");
    expect(dynamoDbOutcome(named("ProvisionedThroughputExceededException"))).toBe("throttled");
    expect(dynamoDbOutcome(named("InternalServerError"))).toBe("error");
    expect(dynamoDbOutcome("not an error")).toBe("error");
  });
});

describe("CallTimings", () => {
  it("times each HeyGen call into one EMF line per operation and outcome, holding no key or query", async () => {
    const timings = new CallTimings(steppingClock(5));
    const answers = [200, 200, 429].map((status) => new Response("{}", { status }));
    const fetchFn: typeof fetch = async () => answers.shift() ?? new Response("", { status: 500 });
    const timed = timings.timedFetch(fetchFn);
    const init = { method: "GET", headers: { "X-Api-Key": KEY } };
    await timed(new URL(`https://api.heygen.com/v3/users/me?key=${KEY}`), init);
    await timed("https://api.heygen.com/v3/users/me", init);
    await timed(new URL("https://api.heygen.com/v3/videos/v1"), init);
    const failing = timings.timedFetch(async () => {
      throw new TypeError("fetch failed");
    });
    await expect(failing("https://api.heygen.com/v3/users/me", init)).rejects.toThrow("fetch failed");

    const lines = published(timings);
    expect(lines.map((l) => [l.Operation, l.Outcome, l[METRIC.heygenCallDuration], l.service])).toEqual([
      ["GET /v3/users/me", "success", [5, 5], "quota-guard"],
      ["GET /v3/videos/{id}", "throttled", 5, "quota-guard"],
      ["GET /v3/users/me", "no-answer", 5, "quota-guard"],
    ]);
    type Emf = { CloudWatchMetrics: { Dimensions: string[][]; Metrics: unknown[] }[] };
    const emf = (lines[0]?._aws as Emf | undefined)?.CloudWatchMetrics[0];
    expect(emf?.Dimensions).toEqual([["service", "Operation", "Outcome"]]);
    expect(emf?.Metrics).toEqual([{ Name: METRIC.heygenCallDuration, Unit: "Milliseconds" }]);
    expect(JSON.stringify(lines)).not.toContain(KEY);
    // Published once: the next invocation starts empty.
    expect(published(timings)).toEqual([]);
  });

  it("times every DynamoDB command by its name, a refused condition apart from a fault", async () => {
    const timings = new CallTimings(steppingClock(2));
    // A real client over a canned HTTP handler, so the SDK's middleware stack runs as in Lambda.
    const replies = [
      { statusCode: 200, body: "{}" },
      {
        statusCode: 400,
        body: JSON.stringify({ __type: "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException" }),
      },
    ];
    const requestHandler = {
      handle: async () => {
        const reply = replies.shift() ?? { statusCode: 500, body: "{}" };
        return {
          response: {
            statusCode: reply.statusCode,
            headers: { "content-type": "application/x-amz-json-1.0" },
            body: Readable.from([Buffer.from(reply.body)]),
          },
        };
      },
    };
    const client = timings.timeDynamoDb(
      new DynamoDBClient({
        region: "us-east-1",
        credentials: { accessKeyId: "local", secretAccessKey: "local" },
        maxAttempts: 1,
        requestHandler,
      }),
    );
    const get = () => client.send(new GetItemCommand({ TableName: "t", Key: { pk: { S: "a" } } }));
    await get();
    await expect(get()).rejects.toMatchObject({ name: "ConditionalCheckFailedException" });

    const lines = published(timings);
    expect(lines.map((l) => [l.Operation, l.Outcome, l[METRIC.dynamoDbCallDuration]])).toEqual([
      ["GetItem", "success", 2],
      ["GetItem", "condition-failed", 2],
    ]);
  });

  it("splits more than 100 samples over lines, each with its dimensions (EMF's limit per metric)", () => {
    const timings = new CallTimings();
    for (let i = 0; i < 250; i++) timings.record(METRIC.dynamoDbCallDuration, "Query", "success", i);
    const lines = published(timings);
    expect(lines.map((l) => (l[METRIC.dynamoDbCallDuration] as number[]).length)).toEqual([100, 100, 50]);
    expect(lines.every((l) => l.Operation === "Query" && l.Outcome === "success")).toBe(true);
  });
});
