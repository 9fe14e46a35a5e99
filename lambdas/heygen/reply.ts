import { classifyFailure, HeyGenError } from "./errors.ts";
import type { HttpReply } from "./http.ts";
import { readReportedError } from "./responses.ts";
import { parseRetryAfterMs } from "./retry.ts";

const MAX_MESSAGE_CHARS = 200;

/**
 * Turns a reply into the JSON body of a success, or throws the HeyGenError it amounts to. A reply is a
 * failure when its status is not 2xx or when its body reports an error in either envelope (the v1/v2
 * endpoints can answer errors with HTTP 200).
 */
export function bodyOrThrow(reply: HttpReply, path: string, now: Date): unknown {
  const body = parseJson(reply.text);
  const reported = readReportedError(body);
  const isSuccessStatus = reply.status >= 200 && reply.status < 300;
  if (isSuccessStatus && !reported) {
    if (body === undefined) {
      throw new HeyGenError(
        "bad_response",
        `HeyGen ${path} answered HTTP ${reply.status} with a body that is not JSON`,
      );
    }
    return body;
  }
  const retryAfterMs = parseRetryAfterMs(reply.retryAfter, now);
  const described = reported
    ? ` (code ${reported.code}${reported.message ? `: ${reported.message.slice(0, MAX_MESSAGE_CHARS)}` : ""})`
    : "";
  throw new HeyGenError(
    classifyFailure(reply.status, reported?.code),
    `HeyGen ${path} answered HTTP ${reply.status}${described}`,
    { status: reply.status, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) },
  );
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
