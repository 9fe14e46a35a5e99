import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SNSClient } from "@aws-sdk/client-sns";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "#config/config";
import { type DynamoDbLocal, LOCAL_AWS, startDynamoDbLocal } from "#local/dynamodb-local";
import { freePort } from "#local/free-port";
import { DEFAULT_SANDBOX_ACCOUNT, type HeyGenSandbox, startHeyGenSandbox } from "#local/heygen-sandbox";
import { type SnsLocal, startSnsLocal } from "#local/sns-local";
import { pollAccounts } from "#service/poll-accounts";
import { type ApiOverDynamo, startApiOverDynamo } from "#test/support/api-over-dynamo";
import { RecordingLog } from "#test/support/recording-log";
import {
  type AccountSummary,
  countedHoldIds,
  type Ledger,
  reservationViolations,
} from "#test/support/reservation-invariants";

const KEY = DEFAULT_SANDBOX_ACCOUNT.apiKey;
const HOLD_AMOUNT = 0.5;
const config = parseConfig({ checks: { maxBalanceAgeSeconds: 3600 } });

interface Answer {
  op: "check" | "reserve" | "accounts";
  status: number;
  contentType: string;
  retryAfter: string | null;
  body: Record<string, unknown>;
  idempotencyKey?: string;
}

async function send(url: string, op: Answer["op"], idempotencyKey?: string): Promise<Answer> {
  const request: RequestInit =
    op === "accounts"
      ? { method: "GET" }
      : {
          method: "POST",
          headers: {
            "content-type": "application/json",
            ...(idempotencyKey ? { "idempotency-key": idempotencyKey } : {}),
          },
          body: JSON.stringify(op === "check" ? { durationSeconds: 10 } : { amount: HOLD_AMOUNT }),
        };
  const path = { check: "/v1/checks", reserve: "/v1/reservations", accounts: "/v1/accounts" }[op];
  const response = await fetch(`${url}${path}`, request);
  return {
    op,
    status: response.status,
    contentType: response.headers.get("content-type") ?? "",
    retryAfter: response.headers.get("retry-after"),
    body: (await response.json()) as Record<string, unknown>,
    ...(idempotencyKey ? { idempotencyKey } : {}),
  };
}

describe("dependency faults", () => {
  const log = new RecordingLog();
  let sandbox: HeyGenSandbox;
  let dataDir: string;
  let dynamoPort: number;
  let dynamo: DynamoDbLocal | undefined;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "quota-guard-dynamo-"));
    dynamoPort = await freePort();
    [sandbox, dynamo] = await Promise.all([
      startHeyGenSandbox(),
      startDynamoDbLocal({ port: dynamoPort, path: dataDir }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([sandbox?.close(), dynamo?.stop()]);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  describe("DynamoDB Local stopped and restarted under load", () => {
    let api: ApiOverDynamo;
    let tableName: string;
    const answers: Answer[] = [];

    beforeAll(async () => {
      tableName = await (dynamo as DynamoDbLocal).createTable("deps-load");
      api = await startApiOverDynamo({
        dynamoEndpoint: (dynamo as DynamoDbLocal).endpoint,
        tableName,
        config,
        heygenBaseUrl: sandbox.url,
        apiKeyFor: () => KEY,
        log,
      });
      const [first] = await pollAccounts(api.poller, new Date().toISOString());
      expect(first?.status).toBe("recorded");

      let running = true;
      let sequence = 0;
      const worker = async () => {
        while (running) {
          const n = sequence++;
          const op = (["check", "reserve", "accounts"] as const)[n % 3] as Answer["op"];
          answers.push(await send(api.url, op, op === "reserve" ? `load-${n}` : undefined));
        }
      };
      const load = Promise.all(Array.from({ length: 6 }, worker));
      const answered = () => answers.length;
      const until = async (condition: () => boolean) => {
        while (!condition()) await new Promise((r) => setTimeout(r, 20));
      };

      await until(() => answered() >= 60);
      await (dynamo as DynamoDbLocal).stop();
      const stoppedAt = answered();
      await until(() => answers.slice(stoppedAt).filter((a) => a.status === 503).length >= 30);
      dynamo = await startDynamoDbLocal({ port: dynamoPort, path: dataDir });
      const restartedAt = answered();
      await until(() => answers.slice(restartedAt).filter((a) => a.status < 300).length >= 60);
      running = false;
      await load;
    });

    afterAll(async () => {
      await api?.close();
    });

    it("answers only 2xx, 409 or 503 — never another 5xx — and every 503 is a problem with Retry-After", () => {
      const statuses = new Set(answers.map((a) => a.status));
      expect([...statuses].every((s) => [200, 201, 409, 503].includes(s))).toBe(true);
      const unavailable = answers.filter((a) => a.status === 503);
      expect(unavailable.length).toBeGreaterThanOrEqual(30);
      for (const answer of unavailable) {
        expect(answer.contentType).toBe("application/problem+json");
        expect(Number(answer.retryAfter)).toBeGreaterThan(0);
        expect(answer.body).toMatchObject({ status: 503, title: "Service unavailable" });
      }
      expect(log.find("ERROR", "unexpected")).toEqual([]);
    });

    it("recovers by itself once DynamoDB is back", async () => {
      const tail = answers.slice(-30);
      expect(tail.filter((a) => a.status === 503)).toEqual([]);
      expect((await send(api.url, "check")).status).toBe(200);
    });

    it("leaves no partial reservation: retried with their keys, the store holds exactly the granted holds", async () => {
      const ledger: Ledger = new Map();
      for (const answer of answers.filter((a) => a.op === "reserve")) {
        const key = answer.idempotencyKey as string;
        // A client that got 503 retries with the same Idempotency-Key; it must never get a second hold.
        const final = answer.status === 503 ? await send(api.url, "reserve", key) : answer;
        expect([200, 201, 409]).toContain(final.status);
        if (final.status < 300) {
          // One hold per key: a retried key answers its first hold, never a second one.
          expect(ledger.has(final.body.id as string)).toBe(false);
          ledger.set(final.body.id as string, HOLD_AMOUNT);
        }
      }
      expect(ledger.size).toBeGreaterThan(0);
      const summary = (await (await fetch(`${api.url}/v1/accounts/default`)).json()) as AccountSummary;
      const state = await api.api.store.getAccountState("default");
      const stored = await countedHoldIds((dynamo as DynamoDbLocal).doc, tableName, "default");
      expect(reservationViolations(ledger, summary, state, stored)).toEqual([]);
    });
  });

  describe("SNS (fauxqs) down while an alert is due", () => {
    let sns: SnsLocal | undefined;
    let snsPort: number;
    let publisher: SNSClient;
    let api: ApiOverDynamo;

    beforeAll(async () => {
      snsPort = await freePort();
      sns = await startSnsLocal({ port: snsPort });
      publisher = new SNSClient({
        ...LOCAL_AWS,
        endpoint: sns.endpoint,
        maxAttempts: 1,
        requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000 },
      });
      const tableName = await (dynamo as DynamoDbLocal).createTable("deps-sns");
      api = await startApiOverDynamo({
        dynamoEndpoint: (dynamo as DynamoDbLocal).endpoint,
        tableName,
        config,
        heygenBaseUrl: sandbox.url,
        apiKeyFor: () => KEY,
        log,
        alerts: { sns: publisher, topicArn: sns.topicArn },
      });
    });

    afterAll(async () => {
      publisher?.destroy();
      await Promise.all([api?.close(), sns?.stop()]);
    });

    it("logs the failed attempt, then sends the alert once after SNS is back", async () => {
      sandbox.setBalance(KEY, 120);
      expect((await pollAccounts(api.poller, "2026-02-01T00:00:00.000Z"))[0]?.alerts).toEqual([]);

      await sns?.stop();
      sandbox.setBalance(KEY, 5);
      const [down] = await pollAccounts(api.poller, "2026-02-01T00:05:00.000Z");
      expect(down?.status).toBe("recorded");
      expect(down?.alerts.map((a) => [a.alertType, a.level, a.status])).toEqual([
        ["low_balance", "critical", "failed"],
      ]);
      expect(log.find("ERROR", "alert publish failed; it will be retried at the next poll")).toHaveLength(1);
      expect((await api.api.store.getAccountState("default"))?.alert.level).toBe("ok");

      sns = await startSnsLocal({ port: snsPort });
      const [back] = await pollAccounts(api.poller, "2026-02-01T00:10:00.000Z");
      expect(back?.alerts.map((a) => [a.alertType, a.level, a.status])).toEqual([
        ["low_balance", "critical", "sent"],
      ]);
      const [after] = await pollAccounts(api.poller, "2026-02-01T00:15:00.000Z");
      expect(after?.alerts).toEqual([]);

      const delivered = await sns.drain(1);
      expect(delivered.map((d) => d.attributes)).toEqual([
        expect.objectContaining({ alertType: "low_balance", severity: "critical", accountId: "default" }),
      ]);
      const alertLog = await api.api.store.listAlerts("default", 10);
      expect(alertLog.map((a) => [a.alertType, a.level, a.status])).toEqual([
        ["low_balance", "critical", "sent"],
        ["low_balance", "critical", "failed"],
      ]);
      expect((await api.api.store.getAccountState("default"))?.alert.level).toBe("critical");
    });
  });
});
