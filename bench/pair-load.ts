import { Agent, request } from "node:http";
import type { LoadResult, PairLoadJob } from "./load-job.ts";
import { nsToMs, quantile } from "./stats.ts";

interface Reply {
  status: number;
  body: string;
}

/**
 * `clients` loops, each doing reserve then commit of that hold, back to back until the deadline; a pair's
 * latency is from sending the reserve to the commit's answer. autocannon has no notion of a request that
 * depends on the previous answer, hence this small client with Node's own timer.
 */
export async function runPairLoad(job: PairLoadJob): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: job.clients });
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const count = (key: string) => {
    statuses[key] = (statuses[key] ?? 0) + 1;
  };
  const send = (path: string, body: unknown) =>
    post(agent, new URL(path, job.url), body).catch(() => undefined);
  const started = process.hrtime.bigint();
  const deadline = started + BigInt(job.durationSeconds) * 1_000_000_000n;

  const client = async () => {
    while (process.hrtime.bigint() < deadline) {
      const t0 = process.hrtime.bigint();
      const reserved = await send("/v1/reservations", job.reservation);
      count(reserved ? `reserve ${reserved.status}` : "reserve error");
      if (reserved?.status !== 201) continue;
      const { id } = JSON.parse(reserved.body) as { id: string };
      const committed = await send(`/v1/reservations/${id}/commit`, {});
      count(committed ? `commit ${committed.status}` : "commit error");
      if (committed?.status === 200) latencies.push(nsToMs(process.hrtime.bigint() - t0));
    }
  };
  await Promise.all(Array.from({ length: job.clients }, client));
  agent.destroy();
  const elapsedSeconds = nsToMs(process.hrtime.bigint() - started) / 1000;
  return {
    completed: latencies.length,
    perSecond: latencies.length / elapsedSeconds,
    elapsedSeconds,
    p50Ms: quantile(latencies, 0.5),
    p99Ms: quantile(latencies, 0.99),
    statuses,
  };
}

function post(agent: Agent, url: URL, body: unknown): Promise<Reply> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: "POST",
        agent,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(payload) },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          text += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}
