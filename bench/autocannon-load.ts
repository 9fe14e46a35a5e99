import { createRequire } from "node:module";
import type { LoadResult, RequestLoadJob } from "./load-job.ts";
import { quantile } from "./stats.ts";

/** The slice of autocannon's (untyped) programmatic API used here. */
interface AutocannonInstance {
  on(event: "response", listener: (client: unknown, status: number, bytes: number, ms: number) => void): void;
  on(event: "reqError", listener: (error: unknown) => void): void;
}
interface AutocannonResult {
  duration: number;
}
type Autocannon = (
  options: Record<string, unknown>,
  done: (error: Error | null, result: AutocannonResult) => void,
) => AutocannonInstance;

const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;

/**
 * Closed-loop load with autocannon. Its own histogram keeps whole milliseconds, too coarse for a sub-ms
 * check, so the latencies are taken from its per-response timings (hrtime, fractional ms) instead.
 */
export function runRequestLoad(job: RequestLoadJob): Promise<LoadResult> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const count = (key: string) => {
    statuses[key] = (statuses[key] ?? 0) + 1;
  };
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: new URL(job.request.path, job.url).href,
        method: job.request.method,
        ...(job.request.body === undefined
          ? {}
          : { body: JSON.stringify(job.request.body), headers: { "content-type": "application/json" } }),
        connections: job.connections,
        duration: job.durationSeconds,
      },
      (error, result) => {
        if (error) return reject(error);
        const ok = latencies.length;
        resolve({
          completed: ok,
          perSecond: ok / result.duration,
          elapsedSeconds: result.duration,
          p50Ms: quantile(latencies, 0.5),
          p99Ms: quantile(latencies, 0.99),
          statuses,
        });
      },
    );
    instance.on("response", (_client, status, _bytes, ms) => {
      count(String(status));
      if (status >= 200 && status < 300) latencies.push(ms);
    });
    instance.on("reqError", () => count("error"));
  });
}
