import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { parseConfig } from "#config/config";
import { signHeyGenEvent } from "#core/webhook-signature";
import { type HeyGenSandbox, SANDBOX_FAULTS, startHeyGenSandbox } from "#local/heygen-sandbox";
import type { LocalStack } from "#local/stack";
import { KEY_ECHOES, type KeyEchoingHeyGen, startKeyEchoingHeyGen } from "#test/support/key-echoing-heygen";
import { startTestStack } from "#test/support/local-stack";
import { RecordingLog } from "#test/support/recording-log";
import { scanTable } from "#test/support/table-scan";

/** A real-looking key whose random part must never show up anywhere, whole or in part. */
const MARKER = `hg-MARKER-${randomBytes(12).toString("hex")}`;
/** The HeyGen webhook endpoint secret: the API verifies with it and must never echo it either. */
const WEBHOOK_SECRET = `whsec_${randomBytes(12).toString("hex")}`;
const SECRET_PARTS = [MARKER.slice("hg-MARKER-".length), WEBHOOK_SECRET.slice("whsec_".length)];
/** Any 8 characters of a random part in a row count as a leak (a truncated message can carry a prefix). */
function leaks(text: string): string[] {
  const found: string[] = [];
  for (const part of SECRET_PARTS) {
    for (let i = 0; i + 8 <= part.length; i++) {
      if (text.includes(part.slice(i, i + 8))) found.push(part.slice(i, i + 8));
    }
  }
  return found;
}

const captured: string[] = [];
const log = new RecordingLog();
let sandbox: HeyGenSandbox;
let heygen: KeyEchoingHeyGen;
let stack: LocalStack;

beforeAll(async () => {
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    vi.spyOn(stream, "write").mockImplementation(((chunk: unknown, ...rest: unknown[]) => {
      captured.push(String(chunk));
      return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write);
  }
  for (const method of ["log", "info", "warn", "error", "debug"] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      captured.push(args.map(String).join(" "));
    });
  }
  sandbox = await startHeyGenSandbox({
    accounts: [{ apiKey: MARKER, billingType: "wallet", currency: "usd", balance: 120 }],
  });
  heygen = await startKeyEchoingHeyGen(sandbox.url);
  stack = await startTestStack({
    config: parseConfig({ checks: { minRefreshIntervalSeconds: 0, maxBalanceAgeSeconds: 1 } }),
    env: { HEYGEN_API_KEY: MARKER, HEYGEN_API_BASE_URL: heygen.url },
    webhookSecret: WEBHOOK_SECRET,
    log,
    heygenTimeoutMs: 300,
    pollIntervalSeconds: 0,
  });
});

afterAll(async () => {
  vi.restoreAllMocks();
  await stack?.stop();
  await Promise.all([heygen?.close(), sandbox?.close()]);
});

it("the HeyGen key and the webhook secret appear in no log line, output, API answer, stored item or SNS message", async () => {
  const published = vi.spyOn(stack.sns.sns, "send");
  const answers: string[] = [];
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${stack.url}${path}`, {
      method,
      headers: body ? { "content-type": "application/json" } : {},
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    answers.push(`${response.status} ${[...response.headers].join(" ")} ${await response.text()}`);
  };
  let minute = 0;
  const poll = async () => {
    const results = await stack.pollNow(new Date(Date.UTC(2030, 0, 1, 0, minute++)).toISOString());
    answers.push(JSON.stringify(results));
  };
  const webhook = async (body: string, headers: Record<string, string>) => {
    const response = await fetch(`${stack.url}/v1/webhooks/heygen`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body,
    });
    answers.push(`${response.status} ${[...response.headers].join(" ")} ${await response.text()}`);
  };
  const exercise = async () => {
    await poll();
    await call("POST", "/v1/accounts/default/refresh");
    await call("POST", "/v1/checks", { durationSeconds: 30 });
    await call("POST", "/v1/reservations", { amount: 1 });
    // Signed, forged and malformed deliveries about the latest hold: a credit failure also reads the balance.
    const listed = await fetch(`${stack.url}/v1/reservations?accountId=default&limit=1`);
    const [hold] = ((await listed.json()) as { reservations: { id: string }[] }).reservations;
    const event = JSON.stringify({
      event_type: "avatar_video.fail",
      event_data: {
        video_id: `vid_${minute}`,
        msg: "MOVIO_PAYMENT_INSUFFICIENT_CREDIT",
        callback_id: hold?.id ?? "rsv_default_none",
      },
    });
    await webhook(event, signHeyGenEvent(event, WEBHOOK_SECRET, Date.now() / 1000));
    await webhook(event, { signature: "0".repeat(64) });
    await webhook("{not json", signHeyGenEvent("{not json", WEBHOOK_SECRET, Date.now() / 1000));
  };

  await exercise();
  for (const fault of SANDBOX_FAULTS) {
    sandbox.setFault("*", fault, { times: 3, delayMs: 500 });
    await exercise();
    sandbox.clearFaults();
  }
  for (const mode of KEY_ECHOES) {
    heygen.setEcho(mode);
    await exercise();
  }
  heygen.setEcho(undefined);
  sandbox.setBalance(MARKER, 5);
  await exercise();
  for (const path of [
    "/v1/accounts",
    "/v1/accounts/default",
    "/v1/accounts/default/history",
    "/v1/accounts/default/alerts",
    "/v1/accounts/default/events",
  ]) {
    await call("GET", path);
  }

  const items = await scanTable(stack.dynamo.doc, stack.tableName);
  const messages = published.mock.calls.map(([command]) => JSON.stringify(command.input));
  const delivered = (await stack.sns.drain(1)).map((d) => JSON.stringify(d));
  const everything = {
    log: log.lines,
    output: captured,
    answers,
    items: items.map((i) => JSON.stringify(i)),
    messages,
    delivered,
  };

  // The run went through the paths that could leak: failures recorded, redacted and alerted on.
  expect(answers.some((a) => a.includes("[redacted]"))).toBe(true);
  expect(items.some((i) => JSON.stringify(i).includes("lastFailure"))).toBe(true);
  expect(messages.some((m) => m.includes("monitor_degraded"))).toBe(true);
  expect(messages.some((m) => m.includes("low_balance"))).toBe(true);
  expect(answers.some((a) => a.startsWith("401 "))).toBe(true);
  expect(items.some((i) => String(i.sk).startsWith("EVENT#"))).toBe(true);
  for (const [where, texts] of Object.entries(everything)) {
    const found = texts.flatMap((text) =>
      leaks(text).map((fragment) => `${fragment} in ${text.slice(0, 300)}`),
    );
    expect(found, where).toEqual([]);
  }
}, 120_000);
