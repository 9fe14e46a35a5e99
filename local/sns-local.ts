import { SNSClient } from "@aws-sdk/client-sns";
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { startFauxqs } from "fauxqs";
import { LOCAL_AWS } from "./dynamodb-local.ts";

/** An SNS envelope as delivered to a subscribed SQS queue. */
export interface DeliveredNotification {
  subject?: string;
  /** The `default` (or queue-protocol) text of the message. */
  message: string;
  attributes: Record<string, string>;
}

export interface SnsLocal {
  endpoint: string;
  topicArn: string;
  sns: SNSClient;
  /** Receives (and deletes) what has reached the subscribed queue so far. */
  drain(waitSeconds?: number): Promise<DeliveredNotification[]>;
  /** Clears queued messages (between tests). */
  reset(): void;
  stop(): Promise<void>;
}

/** Starts fauxqs in process with one topic and a queue subscribed to it, so published alerts can be read. */
export async function startSnsLocal(options: { port?: number; topicName?: string } = {}): Promise<SnsLocal> {
  const server = await startFauxqs({ port: options.port ?? 0, logger: false });
  const topicName = options.topicName ?? "quota-guard-alerts";
  const { topicArn } = server.createTopic(topicName);
  const { queueUrl } = server.createQueue(`${topicName}-inbox`);
  server.subscribe({ topic: topicName, queue: `${topicName}-inbox` });

  const endpoint = server.address;
  const sns = new SNSClient({ ...LOCAL_AWS, endpoint, maxAttempts: 1 });
  const sqs = new SQSClient({ ...LOCAL_AWS, endpoint, useQueueUrlAsEndpoint: false });

  return {
    endpoint,
    topicArn,
    sns,
    async drain(waitSeconds = 0) {
      const delivered: DeliveredNotification[] = [];
      for (;;) {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: delivered.length === 0 ? waitSeconds : 0,
          }),
        );
        if (Messages.length === 0) return delivered;
        for (const m of Messages) {
          const envelope = JSON.parse(m.Body ?? "{}") as {
            Subject?: string;
            Message?: string;
            MessageAttributes?: Record<string, { Value: string }>;
          };
          delivered.push({
            ...(envelope.Subject ? { subject: envelope.Subject } : {}),
            message: envelope.Message ?? "",
            attributes: Object.fromEntries(
              Object.entries(envelope.MessageAttributes ?? {}).map(([k, v]) => [k, v.Value]),
            ),
          });
          await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }));
        }
      }
    },
    reset: () => server.reset(),
    async stop() {
      sns.destroy();
      sqs.destroy();
      await server.stop();
    },
  };
}
