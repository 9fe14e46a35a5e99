import { PublishCommand } from "@aws-sdk/client-sns";
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectDynamoDbLocal, type DynamoDbLocal } from "#local/dynamodb-local";
import { type SnsLocal, startSnsLocal } from "#local/sns-local";
import { runDynamoDbEndpoint } from "#test/support/local-stack";

describe("embedded local services", () => {
  let dynamo: DynamoDbLocal;
  let sns: SnsLocal;
  beforeAll(async () => {
    // The run's DynamoDB Local, which the global setup started with startDynamoDbLocal.
    dynamo = connectDynamoDbLocal(runDynamoDbEndpoint());
    sns = await startSnsLocal();
  });
  afterAll(async () => {
    await Promise.all([dynamo?.stop(), sns?.stop()]);
  });

  it("DynamoDB Local creates the shared table and round-trips an item", async () => {
    const table = await dynamo.createTable();
    await dynamo.doc.send(new PutCommand({ TableName: table, Item: { pk: "a", sk: "b", n: 1 } }));
    const { Item } = await dynamo.doc.send(new GetCommand({ TableName: table, Key: { pk: "a", sk: "b" } }));
    expect(Item).toEqual({ pk: "a", sk: "b", n: 1 });
  });

  it("fauxqs delivers a JSON-structured publish with its attributes to the subscribed queue", async () => {
    await sns.sns.send(
      new PublishCommand({
        TopicArn: sns.topicArn,
        Subject: "hello",
        MessageStructure: "json",
        Message: JSON.stringify({ default: "plain text", email: "email text" }),
        MessageAttributes: { severity: { DataType: "String", StringValue: "warning" } },
      }),
    );
    const delivered = await sns.drain(1);
    expect(delivered).toHaveLength(1);
    expect(delivered[0]?.subject).toBe("hello");
    expect(delivered[0]?.attributes.severity).toBe("warning");
    expect(delivered[0]?.message).toContain("plain text");
  });
});
