import { type ChildProcess, spawn } from "node:child_process";
import { DeleteTableCommand } from "@aws-sdk/client-dynamodb";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, describe, expect, it } from "vitest";
import { createDocumentClient, createLocalDynamoClient, DYNAMODB_ENDPOINT_ENV } from "#local/dynamodb-local";
import { freePort } from "#local/free-port";
import { keys, TABLE } from "#store/table";
import { runDynamoDbEndpoint } from "#test/support/local-stack";

/**
 * `npm start` with DYNAMODB_ENDPOINT: the local stack uses that DynamoDB (here the test run's DynamoDB Local,
 * started separately) instead of starting one of its own, keeps its table there, and leaves it at stop, so a
 * persistent DynamoDB Local (or a fault proxy in front of one) keeps what the stack wrote.
 */

const endpoint = runDynamoDbEndpoint();
const client = createLocalDynamoClient(endpoint, 3);
const doc = createDocumentClient(client);
let child: ChildProcess | undefined;

afterAll(async () => {
  child?.kill("SIGKILL");
  await client.send(new DeleteTableCommand({ TableName: TABLE.localName })).catch(() => undefined);
  client.destroy();
});

/** Starts `npm start`'s script and resolves with its URL once its banner says it is running. */
async function startScript(env: Record<string, string>): Promise<string> {
  // No HeyGen key: the script serves the default account from its sandbox.
  const { HEYGEN_API_KEY: _key, HEYGEN_API_BASE_URL: _url, ...inherited } = process.env;
  const started = spawn("node_modules/.bin/tsx", ["local/start.ts"], {
    env: { ...inherited, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child = started;
  let output = "";
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const running = output.match(/is running at (http:\/\/\S+)/);
      if (running?.[1]) resolve(running[1]);
    };
    started.stdout?.on("data", onData);
    started.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    started.once("exit", (code) => reject(new Error(`npm start exited (${code}):\n${output.slice(-2000)}`)));
  });
}

describe("npm start with DYNAMODB_ENDPOINT", () => {
  it("keeps its table in the given DynamoDB: a reservation lands there and stays after stop", async () => {
    const url = await startScript({
      [DYNAMODB_ENDPOINT_ENV]: endpoint,
      PORT: String(await freePort()),
      POLL_INTERVAL_SECONDS: "0",
    });
    const reply = await fetch(`${url}/v1/reservations`, {
      method: "POST",
      headers: { "content-type": "application/json", "idempotency-key": "dynamodb-endpoint-1" },
      body: JSON.stringify({ accountId: "default", amount: 5 }),
    });
    expect(reply.status).toBe(201);
    const { id } = (await reply.json()) as { id: string };
    const holdKey = { pk: keys.account("default"), sk: keys.hold(id) };
    const read = () =>
      doc.send(new GetCommand({ TableName: TABLE.localName, Key: holdKey, ConsistentRead: true }));
    expect((await read()).Item).toMatchObject({ status: "held", amount: 5 });

    const stopped = new Promise((resolve) => child?.once("exit", resolve));
    child?.kill("SIGTERM");
    await stopped;
    child = undefined;
    // Nothing of the database was stopped or deleted: the hold is still there for the next start.
    expect((await read()).Item).toMatchObject({ status: "held", amount: 5 });
  }, 180_000);
});
