import { HeyGenError } from "./errors.ts";

/** What one GET brought back, before anyone decided whether it is good news. */
export interface HttpReply {
  status: number;
  retryAfter: string | null;
  text: string;
}

/**
 * One GET with the key in `X-Api-Key` and a deadline covering headers and body. Redirects are not
 * followed, so the key is never replayed to another host. Transport failures become `timeout` or
 * `network` errors whose message names the path and the cause, never the key.
 */
export async function getOnce(
  fetchFn: typeof fetch,
  url: URL,
  apiKey: string,
  timeoutMs: number,
): Promise<HttpReply> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const response = await fetchFn(url, {
      method: "GET",
      headers: { "X-Api-Key": apiKey, Accept: "application/json" },
      redirect: "manual",
      signal,
    });
    const text = await response.text();
    return { status: response.status, retryAfter: response.headers.get("retry-after"), text };
  } catch (error) {
    if (signal.aborted) {
      throw new HeyGenError("timeout", `HeyGen ${url.pathname} did not answer within ${timeoutMs} ms`);
    }
    throw new HeyGenError("network", `Could not read HeyGen ${url.pathname}: ${describeCause(error)}`);
  }
}

/** The system-level reason (ECONNREFUSED, "other side closed", ...) under fetch's generic TypeError. */
function describeCause(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return typeof code === "string" ? `${code} (${cause.message})` : cause.message;
  }
  return error.message;
}
