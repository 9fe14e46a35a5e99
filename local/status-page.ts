import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

/**
 * The status page's files, served by the local stack at `GET /` and `/status/*` beside the API (not part of
 * it: the Lambda has no such route). The script is bundled at start with uPlot from node_modules, so the page
 * loads nothing from a CDN and works offline.
 */

export interface StaticAsset {
  contentType: string;
  body: Buffer;
}

const here = (path: string) => fileURLToPath(new URL(`./status-page/${path}`, import.meta.url));

/** The page may load only its own files; a CDN or an inline script would be refused and show as an error. */
const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:";

let bundled: Promise<Map<string, StaticAsset>> | undefined;

/** The page's assets by request path, built once per process (esbuild, ~100 ms). */
export function statusPageAssets(): Promise<Map<string, StaticAsset>> {
  bundled ??= buildAssets();
  return bundled;
}

async function buildAssets(): Promise<Map<string, StaticAsset>> {
  const result = await build({
    entryPoints: [here("app.ts")],
    bundle: true,
    minify: true,
    format: "iife",
    target: "es2022",
    platform: "browser",
    write: false,
    legalComments: "none",
    logLevel: "silent",
  });
  const script = result.outputFiles[0]?.contents;
  if (!script) throw new Error("status page: esbuild produced no script");
  const uplotCss = readFileSync(createRequire(import.meta.url).resolve("uplot/dist/uPlot.min.css"));
  return new Map([
    ["/", { contentType: "text/html; charset=utf-8", body: readFileSync(here("index.html")) }],
    ["/status/app.js", { contentType: "text/javascript; charset=utf-8", body: Buffer.from(script) }],
    [
      "/status/app.css",
      {
        contentType: "text/css; charset=utf-8",
        body: Buffer.concat([uplotCss, Buffer.from("\n"), readFileSync(here("style.css"))]),
      },
    ],
  ]);
}

/** Headers of every status page answer. */
export const STATUS_PAGE_HEADERS = {
  "content-security-policy": CONTENT_SECURITY_POLICY,
  "x-content-type-options": "nosniff",
  "cache-control": "no-cache",
};

/**
 * Where the page sends its reads: the API's own paths under this prefix. The local stack serves them
 * without a signature check, so that the page works under `LOCAL_SIGV4=1` too (a browser has no AWS keys);
 * only the GETs the page makes pass, every other request is the API's and is signed as in AWS.
 */
export const PAGE_API_PREFIX = "/status/api";

/** The page's reads (api.ts), by path: every one a GET that changes nothing. */
const PAGE_READS: readonly RegExp[] = [
  /^\/openapi\.json$/,
  /^\/v1\/accounts$/,
  /^\/v1\/accounts\/[a-z0-9-]{1,40}(\/(history|alerts|budgets|spend))?$/,
  /^\/v1\/reservations$/,
];

/**
 * The API request target of one of the page's reads (`/status/api/v1/accounts?x` → `/v1/accounts?x`), or
 * undefined for any other request, which then goes through the API's checks as it is.
 */
export function pageReadTarget(method: string | undefined, target: string | undefined): string | undefined {
  if ((method !== "GET" && method !== "HEAD") || !target?.startsWith(`${PAGE_API_PREFIX}/`)) return undefined;
  const apiTarget = target.slice(PAGE_API_PREFIX.length);
  const path = apiTarget.split("?")[0] ?? "";
  return PAGE_READS.some((read) => read.test(path)) ? apiTarget : undefined;
}
