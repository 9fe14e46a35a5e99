import type { EventBridgeClient, PutEventsRequestEntry } from "@aws-sdk/client-eventbridge";
import type { Alert } from "#core/account";
import type { AlertPublisher } from "#service/services";
import { NotificationError } from "./sns-notifier.ts";

/** The event's `source` and `detail-type`, which rules match on (docs/alerts.md#eventbridge). */
export const ALERT_EVENT_SOURCE = "quota-guard";
export const ALERT_EVENT_DETAIL_TYPE = "Quota Guard Alert";

/** An EventBridge client, or a function that makes it on first use (Lambda: the SDK package loads then). */
export type EventBridgeClientSource = EventBridgeClient | (() => Promise<EventBridgeClient>);

/**
 * The event's `detail`: the alert as in the alert log (GET /v1/accounts/{id}/alerts), without the fields
 * that describe its delivery (`status`, `owed`, `error`), which this put is part of; so an owed alert put
 * again carries the same detail, id included, as its first put.
 */
export function alertEventDetail(alert: Alert): Omit<Alert, "status" | "owed" | "error"> {
  const { status: _status, owed: _owed, error: _error, ...detail } = alert;
  return detail;
}

/** The PutEvents entry of one alert on `busName`, timed at the alert's creation (the same on a retry). */
export function alertEventEntry(alert: Alert, busName: string): PutEventsRequestEntry {
  return {
    EventBusName: busName,
    Source: ALERT_EVENT_SOURCE,
    DetailType: ALERT_EVENT_DETAIL_TYPE,
    Detail: JSON.stringify(alertEventDetail(alert)),
    Time: new Date(alert.createdAt),
    Resources: [],
  };
}

/**
 * Puts alerts on an EventBridge bus, one PutEvents entry each. PutEvents answers 200 even when it refused
 * the entry (`FailedEntryCount` > 0, the entry's ErrorCode): that is a refusal, thrown like a failed call.
 * The package is loaded on the first put, so a cold start that sends no alert does not pay for it.
 */
export class EventBridgePublisher implements AlertPublisher {
  readonly #client: () => Promise<EventBridgeClient>;

  constructor(
    client: EventBridgeClientSource,
    private readonly busName: string,
  ) {
    this.#client = typeof client === "function" ? client : async () => client;
  }

  /** @returns the event id EventBridge gave; @throws NotificationError when the call failed or the entry was refused. */
  async publish(alert: Alert): Promise<{ messageId: string }> {
    const what = `${alert.alertType} alert for account ${alert.accountId}`;
    let answer: {
      FailedEntryCount?: number;
      Entries?: { EventId?: string; ErrorCode?: string; ErrorMessage?: string }[];
    };
    try {
      const [{ PutEventsCommand }, client] = await Promise.all([
        import("@aws-sdk/client-eventbridge"),
        this.#client(),
      ]);
      answer = await client.send(new PutEventsCommand({ Entries: [alertEventEntry(alert, this.busName)] }));
    } catch (error) {
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw new NotificationError(`EventBridge put of ${what} failed: ${reason}`, { cause: error });
    }
    const [entry] = answer.Entries ?? [];
    if ((answer.FailedEntryCount ?? 0) > 0 || !entry?.EventId) {
      const reason = entry?.ErrorCode ? `${entry.ErrorCode}: ${entry.ErrorMessage ?? ""}` : "no EventId";
      throw new NotificationError(`EventBridge refused ${what}: ${reason}`);
    }
    return { messageId: entry.EventId };
  }
}
