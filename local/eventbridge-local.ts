import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { LOCAL_AWS } from "./dynamodb-local.ts";

/**
 * A loopback EventBridge for the local stack and the tests: an HTTP server that speaks PutEvents (AWS JSON
 * 1.1, `X-Amz-Target: AWSEvents.PutEvents`) and records every event, which the SDK reaches through its
 * endpoint (`AWS_ENDPOINT_URL_EVENTBRIDGE`, or the client's `endpoint`). No rules, no targets: the events
 * are there to be read and printed. It can refuse on demand, as EventBridge does: an entry refused in a 200
 * answer (`FailedEntryCount`), or the whole call failing (a 500).
 */

/** One event as put (PutEvents' entry, `detail` parsed). */
export interface RecordedEvent {
  eventId: string;
  eventBusName: string;
  source: string;
  detailType: string;
  detail: Record<string, unknown>;
  time?: string;
}

export interface EventBridgeLocal {
  /** http://127.0.0.1:<port>, for AWS_ENDPOINT_URL_EVENTBRIDGE or a client's `endpoint`. */
  endpoint: string;
  /** A client of this server (local credentials, one attempt, as the local SNS client). */
  client: EventBridgeClient;
  /** Every event accepted so far, oldest first. */
  readonly events: readonly RecordedEvent[];
  /**
   * Refuses the next `count` entries: `entry` (default) answers 200 with FailedEntryCount, as EventBridge
   * does for a throttled or malformed entry; `call` answers 500 InternalException.
   */
  refuse(count: number, how?: "entry" | "call"): void;
  /** Forgets the events and pending refusals (between tests). */
  reset(): void;
  stop(): Promise<void>;
}

interface PutEntry {
  EventBusName?: string;
  Source?: string;
  DetailType?: string;
  Detail?: string;
  Time?: number | string;
}

/** Starts the server on loopback (`port` 0: a free one); `onEvent` is called for every event accepted. */
export async function startEventBridgeLocal(
  options: { port?: number; onEvent?: (event: RecordedEvent) => void } = {},
): Promise<EventBridgeLocal> {
  const events: RecordedEvent[] = [];
  let refusals: { count: number; how: "entry" | "call" } = { count: 0, how: "entry" };
  const server = createServer((req, res) => {
    readBody(req)
      .then((body) => answer(req, res, body))
      .catch((error: unknown) =>
        reply(res, 400, { __type: "SerializationException", message: String(error) }),
      );
  });

  function answer(req: IncomingMessage, res: ServerResponse, body: string): void {
    if (req.headers["x-amz-target"] !== "AWSEvents.PutEvents") {
      reply(res, 400, { __type: "UnknownOperationException", message: "only PutEvents is served" });
      return;
    }
    const entries = ((JSON.parse(body || "{}") as { Entries?: PutEntry[] }).Entries ?? []).map(entryAnswer);
    const answered = entries.filter((e) => e !== "call");
    if (answered.length < entries.length) {
      reply(res, 500, { __type: "InternalException", message: "refused on demand (local)" });
      return;
    }
    const failed = answered.filter((e) => "ErrorCode" in e).length;
    reply(res, 200, { FailedEntryCount: failed, Entries: answered });
  }

  function entryAnswer(
    entry: PutEntry,
  ): "call" | { EventId: string } | { ErrorCode: string; ErrorMessage: string } {
    if (refusals.count > 0) {
      refusals = { ...refusals, count: refusals.count - 1 };
      if (refusals.how === "call") return "call";
      return { ErrorCode: "InternalFailure", ErrorMessage: "refused on demand (local)" };
    }
    const event = recorded(entry);
    events.push(event);
    options.onEvent?.(event);
    return { EventId: event.eventId };
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new EventBridgeClient({ ...LOCAL_AWS, endpoint, maxAttempts: 1 });
  return {
    endpoint,
    client,
    events,
    refuse(count, how = "entry") {
      refusals = { count, how };
    },
    reset() {
      events.length = 0;
      refusals = { count: 0, how: "entry" };
    },
    async stop() {
      client.destroy();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function recorded(entry: PutEntry): RecordedEvent {
  const time = typeof entry.Time === "number" ? new Date(entry.Time * 1000) : entry.Time;
  return {
    eventId: randomUUID(),
    eventBusName: entry.EventBusName ?? "default",
    source: entry.Source ?? "",
    detailType: entry.DetailType ?? "",
    detail: JSON.parse(entry.Detail ?? "{}") as Record<string, unknown>,
    ...(time ? { time: new Date(time).toISOString() } : {}),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/x-amz-json-1.1" });
  res.end(JSON.stringify(body));
}
