import { createServer, request, type Server } from "node:http";
import { freePort } from "#local/free-port";

/**
 * What the network between a caller and the API does to the next request: answer 503 itself (as API
 * Gateway does when the integration is down), cut the connection before the API sees the request, or let
 * the API act and cut the connection before the answer arrives (a lost answer).
 */
export type LinkFault = "unavailable" | "drop" | "lose-answer";

export interface FaultyLink {
  url: string;
  /** The next requests, in order, meet these faults; later ones pass. */
  inject(...faults: LinkFault[]): void;
  /** Requests that reached the API, as "METHOD /path". */
  readonly forwarded: string[];
  close(): Promise<void>;
}

/** A loopback relay in front of a real local stack that injects network faults, one per request. */
export async function startFaultyLink(targetUrl: string): Promise<FaultyLink> {
  const target = new URL(targetUrl);
  const pending: LinkFault[] = [];
  const forwarded: string[] = [];
  const server: Server = createServer((req, res) => {
    const fault = pending.shift();
    if (fault === "drop") {
      req.socket.destroy();
      return;
    }
    if (fault === "unavailable") {
      req.resume();
      res.writeHead(503, { "content-type": "application/problem+json", "retry-after": "0" });
      res.end(
        JSON.stringify({ type: "about:blank", title: "Service unavailable", status: 503, detail: "link" }),
      );
      return;
    }
    forwarded.push(`${req.method} ${req.url}`);
    const upstream = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        if (fault === "lose-answer") {
          answer.resume();
          answer.on("end", () => req.socket.destroy());
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => req.socket.destroy());
    req.pipe(upstream);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    inject: (...faults) => pending.push(...faults),
    forwarded,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
