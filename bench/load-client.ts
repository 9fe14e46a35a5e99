/**
 * Child-process entry of the load generator: reads a LoadJob (JSON) from argv, runs it, prints one line of
 * JSON (LoadResult). Load runs in its own process so that it never shares an event loop with the servers
 * it measures.
 */
import { runRequestLoad } from "./autocannon-load.ts";
import type { LoadJob, LoadResult } from "./load-job.ts";
import { runPairLoad } from "./pair-load.ts";

const job = JSON.parse(process.argv[2] ?? "null") as LoadJob | null;
if (!job) throw new Error("load-client: pass the job as JSON in the first argument");
const result: LoadResult = job.kind === "requests" ? await runRequestLoad(job) : await runPairLoad(job);
process.stdout.write(`${JSON.stringify(result)}\n`);
