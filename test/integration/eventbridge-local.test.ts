import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Alert } from "#core/account";
import { LOCAL_AWS } from "#local/dynamodb-local";
import { type EventBridgeLocal, startEventBridgeLocal } from "#local/eventbridge-local";
import { EventBridgePublisher } from "#notify/eventbridge-publisher";

/** EventBridgePublisher through the SDK to the local stack's loopback EventBridge (local/eventbridge-local.ts). */

const ALERT: Alert = {
  accountId: "team-a",
  alertType: "low_balance",
  severity: "critical",
  level: "critical",
  previousLevel: "warning",
  subject: "[Quota Guard] HeyGen balance is critical",
  createdAt: "2026-06-01T12:00:00.000Z",
  id: "team-a/2026-06-01T12:00:00.000Z/low_balance",
  remaining: 8,
  available: 8,
  unit: "credits",
};

describe("EventBridgePublisher through the loopback EventBridge", () => {
  let local: EventBridgeLocal;
  beforeAll(async () => {
    local = await startEventBridgeLocal();
  });
  afterAll(async () => {
    await local?.stop();
  });
  beforeEach(() => local.reset());

  it("puts the alert on the bus as source quota-guard, detail-type Quota Guard Alert, timed at its creation", async () => {
    const { messageId } = await new EventBridgePublisher(local.client, "ops-alerts").publish(ALERT);
    expect(local.events).toEqual([
      {
        eventId: messageId,
        eventBusName: "ops-alerts",
        source: "quota-guard",
        detailType: "Quota Guard Alert",
        detail: ALERT,
        time: "2026-06-01T12:00:00.000Z",
      },
    ]);
  });

  it("raises a refused entry (a 200 with FailedEntryCount) and a failed call alike, recording nothing", async () => {
    const publisher = new EventBridgePublisher(local.client, "default");
    local.refuse(1);
    await expect(publisher.publish(ALERT)).rejects.toThrow(/EventBridge refused .*InternalFailure/);
    local.refuse(1, "call");
    await expect(publisher.publish(ALERT)).rejects.toThrow(/EventBridge put of .* failed/);
    expect(local.events).toEqual([]);
    await publisher.publish(ALERT);
    expect(local.events).toHaveLength(1);
  });

  it("is reached by an SDK client given no endpoint, through AWS_ENDPOINT_URL_EVENTBRIDGE", async () => {
    const before = process.env.AWS_ENDPOINT_URL_EVENTBRIDGE;
    process.env.AWS_ENDPOINT_URL_EVENTBRIDGE = local.endpoint;
    const client = new EventBridgeClient({ ...LOCAL_AWS, maxAttempts: 1 });
    try {
      await new EventBridgePublisher(client, "default").publish(ALERT);
      expect(local.events.map((e) => e.detail.id)).toEqual([ALERT.id]);
    } finally {
      client.destroy();
      if (before === undefined) delete process.env.AWS_ENDPOINT_URL_EVENTBRIDGE;
      else process.env.AWS_ENDPOINT_URL_EVENTBRIDGE = before;
    }
  });
});
