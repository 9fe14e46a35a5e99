import type { SNSClient } from "@aws-sdk/client-sns";
import type { Alert } from "#core/account";
import type { AlertPublisher, MessageContext } from "#service/services";
import { composeMessage } from "./message.ts";

/** A publish SNS did not accept; the poller records it and the alert is planned again at the next poll. */
export class NotificationError extends Error {
  override readonly name = "NotificationError";
}

/** An SNS client, or a function that makes it on first use (Lambda: the SDK package loads then, not at import). */
export type SnsClientSource = SNSClient | (() => Promise<SNSClient>);

/**
 * Publishes alerts to the alerts topic; the client is injected so tests and the local stack pass their own.
 * The SNS package is loaded on the first publish, so a cold start that sends no alert does not pay for it.
 */
export class SnsNotifier implements AlertPublisher {
  readonly #sns: () => Promise<SNSClient>;

  constructor(
    sns: SnsClientSource,
    private readonly topicArn: string,
  ) {
    this.#sns = typeof sns === "function" ? sns : async () => sns;
  }

  async publish(alert: Alert, context: MessageContext): Promise<{ messageId: string }> {
    const { subject, message, attributes } = composeMessage(alert, context);
    let messageId: string | undefined;
    try {
      const [{ PublishCommand }, sns] = await Promise.all([import("@aws-sdk/client-sns"), this.#sns()]);
      ({ MessageId: messageId } = await sns.send(
        new PublishCommand({
          TopicArn: this.topicArn,
          Subject: subject,
          Message: message,
          MessageStructure: "json",
          MessageAttributes: attributes,
        }),
      ));
    } catch (error) {
      throw new NotificationError(`SNS publish of ${describe(alert)} failed: ${reason(error)}`, {
        cause: error,
      });
    }
    if (!messageId) throw new NotificationError(`SNS returned no MessageId for ${describe(alert)}`);
    return { messageId };
  }
}

function describe(alert: Alert): string {
  return `${alert.alertType} alert for account ${alert.accountId}`;
}

function reason(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
