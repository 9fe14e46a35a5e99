import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * The baseline: the HeyGen quota guide's `generateVideoWithQuotaCheck` as an HTTP endpoint. Every request
 * asks HeyGen (`GET /v2/user/remaining_quota`) for the balance, estimates 1 credit per started minute and
 * answers allowed or denied; exactly the guide's flow, including its reading of `remaining_quota` as
 * credits. Accepts the same body as the guard's check (`{ durationSeconds }`).
 */
export interface GuideBaseline {
  url: string;
  close(): Promise<void>;
}

export async function startGuideBaseline(options: {
  heygenBaseUrl: string;
  apiKey: string;
}): Promise<GuideBaseline> {
  const quotaUrl = new URL("/v2/user/remaining_quota", options.heygenBaseUrl);
  const server = createServer((req, res) => {
    answerCheck(req, res, quotaUrl, options.apiKey).catch((error: unknown) => {
      sendJson(res, 502, { error: error instanceof Error ? error.message : String(error) });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function answerCheck(req: IncomingMessage, res: ServerResponse, quotaUrl: URL, apiKey: string) {
  const { durationSeconds } = JSON.parse((await readBody(req)) || "{}") as { durationSeconds?: number };
  const quotaResponse = await fetch(quotaUrl, { headers: { "X-Api-Key": apiKey } });
  const { data: quota } = (await quotaResponse.json()) as { data: { remaining_quota: number } };
  const requiredCredits = Math.ceil((durationSeconds ?? 0) / 60);
  sendJson(res, 200, {
    allowed: quota.remaining_quota >= requiredCredits,
    required: requiredCredits,
    remaining: quota.remaining_quota,
  });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      text += chunk;
    });
    req.on("end", () => resolve(text));
    req.on("error", reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown) {
  if (res.headersSent) return;
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}
