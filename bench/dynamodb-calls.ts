import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { LocalStack } from "#local/stack";
import { pollAccounts } from "#service/poll-accounts";

/** Commands sent per operation, by command name (e.g. `{ GetItemCommand: 1 }`). */
export type CommandCounts = Record<string, number>;

export interface OperationCalls {
  operation: "check" | "reserve" | "commit" | "release" | "poll (one account)";
  measured: CommandCounts;
  reads: number;
  writes: number;
  /** The design's performance contract (§7); none is stated for a poll. */
  contract: { reads: number; writes: number } | null;
  meetsContract: boolean | null;
}

const COUNTER_NAME = "benchCommandCounter";
const READS = new Set(["GetItemCommand", "BatchGetItemCommand", "QueryCommand", "ScanCommand"]);

/**
 * Counts every command the client sends, once per send (the `build` step runs once per command, not per
 * retry). The document client shares the base client's middleware stack, so its commands count too.
 */
export function countCommands(client: DynamoDBClient) {
  let counts: CommandCounts | undefined;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (counts) {
        const name = String(context.commandName ?? "unknown");
        counts[name] = (counts[name] ?? 0) + 1;
      }
      return next(args);
    },
    { step: "build", name: COUNTER_NAME },
  );
  return {
    /** The commands sent while `operation` ran (nothing else runs on the stack meanwhile). */
    async during(operation: () => Promise<unknown>): Promise<CommandCounts> {
      const mine: CommandCounts = {};
      counts = mine;
      try {
        await operation();
      } finally {
        counts = undefined;
      }
      return mine;
    },
    stop() {
      client.middlewareStack.remove(COUNTER_NAME);
    },
  };
}

/** Runs each operation once through the local stack's HTTP API (the poll through the poller's code). */
export async function measureDynamoDbCalls(stack: LocalStack, accountId: string): Promise<OperationCalls[]> {
  const counter = countCommands(stack.dynamo.client);
  const api = apiCaller(stack.url);
  const account = stack.config.accounts.find((a) => a.id === accountId);
  if (!account) throw new Error(`no account ${accountId} in the bench config`);
  const tick = () => new Date().toISOString();

  await pollAccounts(stack.services, tick(), [account]);
  await api("/v1/checks", { accountId, durationSeconds: 60 }); // warm-up: clients, connections
  const results: OperationCalls[] = [];
  const record = (
    operation: OperationCalls["operation"],
    measured: CommandCounts,
    contract: OperationCalls["contract"],
  ) => results.push(judge(operation, measured, contract));

  record("check", await counter.during(() => api("/v1/checks", { accountId, durationSeconds: 60 })), {
    reads: 1,
    writes: 0,
  });
  let id = "";
  record(
    "reserve",
    await counter.during(async () => {
      id = (await api("/v1/reservations", { accountId, amount: 0.01 }, 201)).id as string;
    }),
    { reads: 0, writes: 1 },
  );
  record("commit", await counter.during(() => api(`/v1/reservations/${id}/commit`, {})), {
    reads: 1,
    writes: 1,
  });
  const second = (await api("/v1/reservations", { accountId, amount: 0.01 }, 201)).id as string;
  record("release", await counter.during(() => api(`/v1/reservations/${second}/release`, {})), {
    reads: 1,
    writes: 1,
  });
  record(
    "poll (one account)",
    await counter.during(() => pollAccounts(stack.services, tick(), [account])),
    null,
  );
  counter.stop();
  return results;
}

function judge(
  operation: OperationCalls["operation"],
  measured: CommandCounts,
  contract: OperationCalls["contract"],
): OperationCalls {
  let reads = 0;
  let writes = 0;
  for (const [name, count] of Object.entries(measured)) {
    if (READS.has(name)) reads += count;
    else writes += count;
  }
  return {
    operation,
    measured,
    reads,
    writes,
    contract,
    meetsContract: contract === null ? null : contract.reads === reads && contract.writes === writes,
  };
}

function apiCaller(baseUrl: string) {
  return async (path: string, body: unknown, expectStatus = 200): Promise<Record<string, unknown>> => {
    const response = await fetch(new URL(path, baseUrl), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const answer = (await response.json()) as Record<string, unknown>;
    if (response.status !== expectStatus) {
      throw new Error(`POST ${path} answered ${response.status}: ${JSON.stringify(answer)}`);
    }
    return answer;
  };
}
