import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DIMENSION, METRIC, METRICS_NAMESPACE, SERVICE_NAME } from "#config/observability";
import { V2_QUOTA_PATH, V3_USER_PATH } from "#heygen/client";

/**
 * How long the guard's dependencies take, as CloudWatch metrics in EMF (docs/bundles-and-tracing.md, Tracing):
 * `HeyGenCallDuration` per HeyGen request and `DynamoDBCallDuration` per DynamoDB command, in milliseconds,
 * with the dimensions `Operation` and `Outcome` (and Powertools' `service`). This replaces the X-Ray SDK's
 * subsegments (its end of support is 2027-02-25); Lambda's active tracing still records each invocation.
 *
 * Cardinality stays low by construction: an operation is a fixed name (a HeyGen path template, a DynamoDB
 * command name), an outcome one of a few words, never an id, a key, a query or a body. So no secret can
 * reach a metric: the HeyGen key travels in a header, which is never read here.
 *
 * Samples are kept per invocation and written by `publish()` when it ends: one EMF line per (metric,
 * operation, outcome) with all its values, not one line per call.
 */

/** EMF's limit of values per metric in one log line. */
const MAX_VALUES_PER_LINE = 100;

export type HeyGenOutcome = "success" | "client-error" | "throttled" | "server-error" | "no-answer";
export type DynamoDbOutcome = "success" | "condition-failed" | "cancelled" | "throttled" | "error";

/** HeyGen paths by template; any other path is `other`, so a new endpoint cannot add unbounded values. */
const HEYGEN_OPERATIONS: readonly { pattern: RegExp; name: string }[] = [
  { pattern: new RegExp(`${escapeRegExp(V3_USER_PATH)}$`), name: V3_USER_PATH },
  { pattern: new RegExp(`${escapeRegExp(V2_QUOTA_PATH)}$`), name: V2_QUOTA_PATH },
  { pattern: /\/v3\/videos\/[^/]+$/, name: "/v3/videos/{id}" },
];

function escapeRegExp(path: string): string {
  return path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** `GET /v3/users/me`: the method and the path's template (a base path such as a proxy prefix is dropped). */
export function heygenOperation(method: string, pathname: string): string {
  const known = HEYGEN_OPERATIONS.find((op) => op.pattern.test(pathname));
  return `${method.toUpperCase()} ${known?.name ?? "other"}`;
}

export function heygenOutcome(status: number): HeyGenOutcome {
  if (status === 429) return "throttled";
  if (status >= 500) return "server-error";
  if (status >= 400) return "client-error";
  return "success";
}

/** What a failed DynamoDB command means for latency: a refused condition is an answer, not a fault. */
export function dynamoDbOutcome(error: unknown): DynamoDbOutcome {
  const name = error instanceof Error ? error.name : "";
  if (name === "ConditionalCheckFailedException") return "condition-failed";
  if (name === "TransactionCanceledException") return "cancelled";
  if (/Throttl|ProvisionedThroughputExceeded|RequestLimitExceeded/.test(name)) return "throttled";
  return "error";
}

export class CallTimings {
  readonly #samples = new Map<string, { metric: string; operation: string; outcome: string; ms: number[] }>();
  readonly #now: () => number;

  /** `now`: a monotonic clock in milliseconds (default `performance.now`). */
  constructor(now: () => number = () => performance.now()) {
    this.#now = now;
  }

  /** Keeps one sample of `metric` (a METRIC name) that took `ms` milliseconds. */
  record(metric: string, operation: string, outcome: string, ms: number): void {
    const key = `${metric}\u0000${operation}\u0000${outcome}`;
    let entry = this.#samples.get(key);
    if (!entry) {
      entry = { metric, operation, outcome, ms: [] };
      this.#samples.set(key, entry);
    }
    entry.ms.push(ms);
  }

  /**
   * `fetch` for the HeyGen client that times each call (response headers received, in ms) into
   * `HeyGenCallDuration`. Reads only the method, the path and the status.
   */
  timedFetch(fetchFn: typeof fetch = fetch): typeof fetch {
    return async (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      const operation = heygenOperation(
        init?.method ?? (input instanceof Request ? input.method : "GET"),
        url.pathname,
      );
      const started = this.#now();
      let outcome: HeyGenOutcome = "no-answer";
      try {
        const response = await fetchFn(input, init);
        outcome = heygenOutcome(response.status);
        return response;
      } finally {
        this.record(METRIC.heygenCallDuration, operation, outcome, this.#now() - started);
      }
    };
  }

  /**
   * Times every command the client sends (all attempts and the SDK's retries included, in ms) into
   * `DynamoDBCallDuration`, the operation being the command's name (`TransactWriteItems`). Returns the client.
   */
  timeDynamoDb<C extends Pick<DynamoDBClient, "middlewareStack">>(client: C): C {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const operation = String(context.commandName ?? "unknown").replace(/Command$/, "");
        const started = this.#now();
        let outcome: DynamoDbOutcome = "success";
        try {
          return await next(args);
        } catch (error) {
          outcome = dynamoDbOutcome(error);
          throw error;
        } finally {
          this.record(METRIC.dynamoDbCallDuration, operation, outcome, this.#now() - started);
        }
      },
      { step: "initialize", name: "quotaGuardCallTimings", override: true },
    );
    return client;
  }

  /** Writes the kept samples as EMF (stdout, which Lambda sends to CloudWatch Logs) and forgets them. */
  publish(metrics: () => Metrics = defaultMetrics): void {
    for (const { metric, operation, outcome, ms } of this.#samples.values()) {
      // EMF takes at most 100 values per metric in a line: Powertools writes the line itself at the 100th
      // value (and then forgets the dimensions), so each line gets its own instance.
      for (let from = 0; from < ms.length; from += MAX_VALUES_PER_LINE) {
        const line = metrics();
        line.addDimension(DIMENSION.operation, operation);
        line.addDimension(DIMENSION.outcome, outcome);
        for (const value of ms.slice(from, from + MAX_VALUES_PER_LINE)) {
          line.addMetric(metric, MetricUnit.Milliseconds, value);
        }
        if (line.hasStoredMetrics()) line.publishStoredMetrics();
      }
    }
    this.#samples.clear();
  }
}

function defaultMetrics(): Metrics {
  return new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });
}
