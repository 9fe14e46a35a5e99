import { z } from "zod";
import type { SandboxEndpoint } from "./faults.ts";

/**
 * Raw-reply mode: replays any reply HeyGen might send (status, headers, body), per API key (or `*`) and
 * endpoint, ahead of faults and simulated accounts. Replies play in order; the last one keeps answering
 * until cleared, so one reply serves a run of polls and `[429, 200]` serves a retry.
 */
export const RawReply = z.strictObject({
  status: z.number().int().min(100).max(599),
  headers: z.record(z.string(), z.string()).optional(),
  /** A JSON value, sent as JSON; a string is sent verbatim (an HTML error page, broken JSON). */
  body: z.unknown().optional(),
});
export type RawReply = z.infer<typeof RawReply>;

export const RawRepliesRequest = z.strictObject({
  apiKey: z.string().min(1),
  endpoint: z.enum(["v3", "v2"]),
  replies: z.array(RawReply).min(1).max(100),
});
export type RawRepliesRequest = z.infer<typeof RawRepliesRequest>;

export class RawReplyBook {
  readonly #queues = new Map<string, RawReply[]>();

  set(request: RawRepliesRequest): void {
    this.#queues.set(slot(request.apiKey, request.endpoint), [...request.replies]);
  }

  clear(): void {
    this.#queues.clear();
  }

  list(): Array<{ slot: string; replies: RawReply[] }> {
    return [...this.#queues].map(([key, replies]) => ({ slot: key, replies }));
  }

  /** The reply for a request with `apiKey` on `endpoint` (the key's own queue wins over `*`). */
  take(apiKey: string | undefined, endpoint: SandboxEndpoint): RawReply | undefined {
    for (const target of [apiKey, "*"]) {
      if (target === undefined) continue;
      const queue = this.#queues.get(slot(target, endpoint));
      if (!queue?.length) continue;
      return queue.length > 1 ? queue.shift() : queue[0];
    }
    return undefined;
  }
}

function slot(apiKey: string, endpoint: SandboxEndpoint): string {
  return `${endpoint} ${apiKey}`;
}
