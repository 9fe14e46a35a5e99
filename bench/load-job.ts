/** What the parent asks the load client (a child process) to do, and what comes back. */

export interface HttpRequestSpec {
  method: "GET" | "POST";
  path: string;
  body?: unknown;
}

export interface RequestLoadJob {
  kind: "requests";
  /** Base URL, e.g. http://127.0.0.1:3000 */
  url: string;
  request: HttpRequestSpec;
  connections: number;
  durationSeconds: number;
}

export interface PairLoadJob {
  kind: "reserve-commit-pairs";
  url: string;
  clients: number;
  durationSeconds: number;
  /** Body of each POST /v1/reservations. */
  reservation: Record<string, unknown>;
}

export type LoadJob = RequestLoadJob | PairLoadJob;

export interface LatencySummary {
  p50Ms: number;
  p99Ms: number;
}

export interface LoadResult extends LatencySummary {
  /** Completed units of work: requests, or reserve + commit pairs. */
  completed: number;
  perSecond: number;
  elapsedSeconds: number;
  /** Responses by HTTP status ("error" for a failed connection). */
  statuses: Record<string, number>;
}
