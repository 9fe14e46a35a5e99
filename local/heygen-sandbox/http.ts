import type { IncomingMessage, ServerResponse } from "node:http";

const MAX_CONTROL_BODY_BYTES = 64 * 1024;

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  sendText(res, status, JSON.stringify(body), headers);
}

/** Strings are sent as they are (HTML error pages, broken JSON); anything else as JSON. */
export function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
) {
  const typed = Object.keys(headers).some((name) => name.toLowerCase() === "content-type");
  res.writeHead(status, {
    ...(typed ? {} : { "Content-Type": text.startsWith("<") ? "text/html" : "application/json" }),
    "Content-Length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** Sends the status line and half the body, then drops the connection, as a proxy dying mid-reply would. */
export function sendHalfThenReset(res: ServerResponse, text: string) {
  res.writeHead(200, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
  res.write(text.slice(0, Math.floor(text.length / 2)), () => res.socket?.destroy());
}

export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_CONTROL_BODY_BYTES) throw new Error("body: larger than 64 KiB");
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  try {
    return text ? JSON.parse(text) : {};
  } catch {
    throw new Error("body: not valid JSON");
  }
}
