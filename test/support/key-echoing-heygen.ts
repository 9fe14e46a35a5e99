import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/** Ways a careless upstream can put the caller's key in its answer. */
export const KEY_ECHOES = [
  "v3_401",
  "v2_200_code",
  "v3_400_param",
  "html_500",
  "wrong_shape",
  "long_message",
] as const;
export type KeyEcho = (typeof KEY_ECHOES)[number];

function echo(mode: KeyEcho, key: string): { status: number; body: string } {
  switch (mode) {
    case "v3_401":
      return {
        status: 401,
        body: JSON.stringify({ error: { code: "unauthorized", message: `Invalid API key ${key}` } }),
      };
    case "v2_200_code":
      return {
        status: 200,
        body: JSON.stringify({ code: 40009, message: `Invalid credentials for ${key}` }),
      };
    case "v3_400_param":
      return { status: 400, body: JSON.stringify({ error: { code: key, message: key, param: key } }) };
    case "html_500":
      return { status: 500, body: `<html><body>upstream failed for key=${key}</body></html>` };
    case "wrong_shape":
      return {
        status: 200,
        body: JSON.stringify({ data: { billing_type: key, [key]: key, wallet: { remaining_balance: key } } }),
      };
    case "long_message":
      // The client keeps 200 characters of a message: put the key across that boundary.
      return {
        status: 403,
        body: JSON.stringify({ error: { code: "forbidden", message: `${"x".repeat(180)}${key}` } }),
      };
  }
}

export interface KeyEchoingHeyGen {
  url: string;
  /** The next answers echo the key this way; undefined forwards to the upstream again. */
  setEcho(mode: KeyEcho | undefined): void;
  close(): Promise<void>;
}

/**
 * A proxy in front of the HeyGen sandbox that, when told to, answers with the caller's `X-Api-Key` echoed
 * in the body (error messages, codes, field names, HTML), as a misbehaving HeyGen or proxy might.
 */
export async function startKeyEchoingHeyGen(upstream: string): Promise<KeyEchoingHeyGen> {
  let mode: KeyEcho | undefined;
  const server = createServer(async (req, res) => {
    const key = String(req.headers["x-api-key"] ?? "");
    try {
      const answer = mode
        ? echo(mode, key)
        : await fetch(`${upstream}${req.url}`, { headers: { "x-api-key": key } }).then(async (r) => ({
            status: r.status,
            body: await r.text(),
          }));
      res.writeHead(answer.status, {
        "content-type": answer.body.startsWith("<") ? "text/html" : "application/json",
      });
      res.end(answer.body);
    } catch {
      // The upstream dropped the connection (a sandbox fault): drop this one too.
      res.destroy();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    setEcho: (next) => {
      mode = next;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
