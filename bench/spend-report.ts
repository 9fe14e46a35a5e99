/**
 * The spend report's cost (issue 22): its latency and read units over 1,000 and 10,000 ledger entries of one
 * account (a quarter of a busy account), and what the ledger entry adds to a commit. Entries are seeded
 * straight into the table in the store's item shape (spend-items.ts) by BatchWriteItem, so seeding takes
 * seconds. Run alone: `tsx bench/spend-report.ts [levels]`, e.g. `tsx bench/spend-report.ts 1000,10000`.
 */
import { BatchWriteCommand, type BatchWriteCommandInput, PutCommand } from "@aws-sdk/lib-dynamodb";
import { marshall, unmarshall } from "@aws-sdk/util-dynamodb";
import { MAX_REPORT_DAYS } from "#core/report-range";
import { reservationIdFor } from "#core/reservation-id";
import type { SpendEntry } from "#core/spend-ledger";
import { sumSpend } from "#core/spend-report";
import { meterConsumedCapacity } from "#local/consumed-capacity";
import { type LocalStack, startLocalStack } from "#local/stack";
import { reservationOperations } from "#service/reservation-operations";
import { createDynamoStore } from "#store/dynamo-store";
import { spendItem } from "#store/spend-items";
import { recordBalance } from "./balance-setup.ts";
import { runIfMain } from "./script.ts";
import { median, nsToMs, round } from "./stats.ts";

export interface SpendReportFigure {
  /** Ledger entries in the report's range (one account, spread over MAX_REPORT_DAYS). */
  entries: number;
  /** Median of RUNS reads + sums by `label:campaign` (store Query pages and core's sumSpend), after a warm-up. */
  reportP50Ms: number;
  /** Read units of one report, summed over its Query pages (DynamoDB Local, eventually consistent). */
  reportRcu: number;
  /** Query pages (1 MB each) one report read. */
  pages: number;
  /** Mean size of a seeded entry's item, by DynamoDB's item-size rules (names + values). */
  itemBytes: number;
}

export interface CommitLedgerFigure {
  /** Items in the commit's TransactWriteItems (the ledger entry is one of them). */
  transactItems: number;
  /** Write units DynamoDB Local reports for the whole commit (it does not add up a transaction's items). */
  commitWcu: number;
  /** The ledger item the commit wrote, by DynamoDB's item-size rules. */
  ledgerItemBytes: number;
  /** The same item put on its own (DynamoDB Local's PutItem units); in a transaction DynamoDB bills twice that. */
  ledgerPutWcu: number;
}

export interface SpendReportFigures {
  reports: SpendReportFigure[];
  commit: CommitLedgerFigure;
}

export const DEFAULT_SPEND_LEVELS = [1_000, 10_000];
const RUNS = 5;
const BATCH = 25;
const SEED_CONCURRENCY = 8;
const DAY_MS = 86_400_000;
const CAMPAIGNS = ["spring", "summer", "fall", "winter", "launch", "retention", "brand", "holiday"];

/** A commit as a busy pipeline's would be: a webhook-priced avatar video with labels, principal and budget. */
function entryOf(accountId: string, i: number, at: Date): SpendEntry {
  return {
    at: at.toISOString(),
    accountId,
    reservationId: reservationIdFor(accountId, at),
    seq: 2,
    amount: round(0.5 + (i % 40) * 0.25, 2),
    unit: "usd",
    final: true,
    estimatedAmount: 5,
    actualAmount: round(0.5 + (i % 40) * 0.25, 2),
    jobType: "avatar_video",
    engine: "avatar_iv",
    rateCard: "heygen-2026-01",
    commitBasis: "event-duration",
    durationSeconds: 30 + (i % 90),
    videoId: `vid_${i.toString(16).padStart(24, "0")}`,
    labels: { campaign: CAMPAIGNS[i % CAMPAIGNS.length] as string, client: `client-${i % 13}` },
    principal: "arn:aws:sts::123456789012:assumed-role/render-pipeline/session-1",
    budget: `team-${i % 5}`,
  };
}

/** Writes `count` entries spread evenly over the `days` before `to`, 25 per BatchWriteItem. */
async function seed(stack: LocalStack, accountId: string, count: number, to: Date, days: number) {
  const items = Array.from({ length: count }, (_, i) => {
    const at = new Date(to.getTime() - 1_000 - Math.floor(((i + 0.5) / count) * days * DAY_MS));
    return spendItem(entryOf(accountId, i, at), Math.floor(to.getTime() / 1000) + 90 * 86_400);
  });
  const batches = Array.from({ length: Math.ceil(count / BATCH) }, (_, b) =>
    items.slice(b * BATCH, (b + 1) * BATCH),
  );
  for (let next = 0; next < batches.length; next += SEED_CONCURRENCY) {
    await Promise.all(batches.slice(next, next + SEED_CONCURRENCY).map((batch) => writeBatch(stack, batch)));
  }
  return items;
}

async function writeBatch(stack: LocalStack, items: Record<string, unknown>[]): Promise<void> {
  type Requests = NonNullable<BatchWriteCommandInput["RequestItems"]>[string];
  let requests: Requests = items.map((Item) => ({ PutRequest: { Item } }));
  while (requests.length > 0) {
    const answer = await stack.dynamo.doc.send(
      new BatchWriteCommand({ RequestItems: { [stack.tableName]: requests } }),
    );
    // DynamoDB may leave some of a batch unwritten under load; they are sent again until none is left.
    requests = answer.UnprocessedItems?.[stack.tableName] ?? [];
  }
}

/** An item's size by DynamoDB's rules: UTF-8 names and strings, numbers about a byte per two digits. */
export function itemBytes(item: Record<string, unknown>): number {
  const marshalled = marshall(item, { removeUndefinedValues: true }) as Record<string, unknown>;
  return Object.entries(marshalled).reduce((sum, [name, value]) => sum + utf8(name) + valueBytes(value), 0);
}

function utf8(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

function valueBytes(value: unknown): number {
  const [type, inner] = Object.entries(value as Record<string, unknown>)[0] ?? [];
  if (type === "S") return utf8(inner as string);
  if (type === "N") return Math.ceil((inner as string).replace(/^-|\.|^0+/g, "").length / 2) + 1;
  if (type === "BOOL" || type === "NULL") return 1;
  if (type === "M") return 3 + itemBytesOfMarshalled(inner as Record<string, unknown>);
  if (type === "L") return 3 + (inner as unknown[]).reduce<number>((sum, v) => sum + 1 + valueBytes(v), 0);
  return 0;
}

function itemBytesOfMarshalled(map: Record<string, unknown>): number {
  return Object.entries(map).reduce((sum, [name, value]) => sum + 1 + utf8(name) + valueBytes(value), 0);
}

/** At each level (its own account), seeds the entries, then times and meters the report RUNS times. */
export async function measureSpendReports(
  stack: LocalStack,
  levels: readonly number[] = DEFAULT_SPEND_LEVELS,
): Promise<SpendReportFigure[]> {
  const store = createDynamoStore(stack.dynamo.doc, stack.tableName);
  const meter = meterConsumedCapacity(stack.dynamo.client);
  const figures: SpendReportFigure[] = [];
  try {
    for (const entries of levels) {
      const accountId = `spend-bench-${entries}`;
      const to = new Date();
      const items = await seed(stack, accountId, entries, to, MAX_REPORT_DAYS);
      const range = {
        from: new Date(to.getTime() - MAX_REPORT_DAYS * DAY_MS).toISOString(),
        to: to.toISOString(),
      };
      const report = async () => {
        const read = await store.listSpend(accountId, range);
        const sums = sumSpend(read, { kind: "label", key: "campaign" });
        if (sums.count !== entries) throw new Error(`report read ${sums.count} of ${entries} entries`);
      };
      await report();
      const times: number[] = [];
      for (let run = 0; run < RUNS; run++) {
        const started = process.hrtime.bigint();
        await report();
        times.push(nsToMs(process.hrtime.bigint() - started));
      }
      const cost = await meter.during(report);
      figures.push({
        entries,
        reportP50Ms: round(median(times), 1),
        reportRcu: round(cost.readUnits, 1),
        pages: cost.commands.QueryCommand ?? 0,
        itemBytes: Math.round(items.reduce((sum, item) => sum + itemBytes(item), 0) / items.length),
      });
    }
  } finally {
    meter.stop();
  }
  return figures;
}

/** One labelled commit through the store, metered; its ledger item is then put on its own and metered. */
export async function measureCommitLedger(stack: LocalStack): Promise<CommitLedgerFigure> {
  const base = createDynamoStore(stack.dynamo.doc, stack.tableName);
  const store = { ...base, ...reservationOperations(base) };
  const accountId = "spend-bench-commit";
  const now = new Date();
  const rules = { now, reserveFloor: 0, settleSeconds: 60 };
  await recordBalance(store, accountId, 1_000, "usd", now);
  const id = reservationIdFor(accountId, now);
  const made = await store.reserve(
    accountId,
    {
      id,
      amount: 5,
      ttlSeconds: 3600,
      unit: "usd",
      retentionDays: 90,
      labels: { campaign: "spring", client: "client-7" },
      principal: entryOf(accountId, 0, now).principal as string,
    },
    rules,
  );
  if (made.kind !== "created") throw new Error(`bench reserve refused: ${made.kind}`);
  const transaction = captureTransactions(stack.dynamo.client);
  const meter = meterConsumedCapacity(stack.dynamo.client);
  try {
    const cost = await meter.during(() => store.commit(id, { final: true }, rules));
    const items = transaction.items();
    const ledger = items.find((item) => String(item.sk ?? "").startsWith("SPEND#"));
    if (!ledger) throw new Error("the commit wrote no ledger entry");
    const alone = { ...ledger, sk: `${String(ledger.sk)}#bench` };
    const put = await meter.during(() =>
      stack.dynamo.doc.send(new PutCommand({ TableName: stack.tableName, Item: alone })),
    );
    return {
      transactItems: transaction.count(),
      commitWcu: round(cost.writeUnits, 1),
      ledgerItemBytes: itemBytes(ledger),
      ledgerPutWcu: round(put.writeUnits, 1),
    };
  } finally {
    meter.stop();
    transaction.stop();
  }
}

const CAPTURE = "benchCaptureTransactions";

/** Keeps the items of every TransactWriteItems the client sends (Put items, unmarshalled or not). */
function captureTransactions(client: LocalStack["dynamo"]["client"]) {
  let count = 0;
  const puts: Record<string, unknown>[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === "TransactWriteItemsCommand") {
        const items = (args.input as { TransactItems?: { Put?: { Item?: Record<string, unknown> } }[] })
          .TransactItems;
        count += items?.length ?? 0;
        for (const item of items ?? []) if (item.Put?.Item) puts.push(plain(item.Put.Item));
      }
      return next(args);
    },
    { step: "initialize", name: CAPTURE },
  );
  return {
    count: () => count,
    items: () => puts,
    stop: () => client.middlewareStack.remove(CAPTURE),
  };
}

/** An item as the document client takes it, whether the middleware met it before or after marshalling. */
function plain(item: Record<string, unknown>): Record<string, unknown> {
  const pk = item.pk as unknown;
  if (typeof pk === "string") return item;
  return unmarshall(item as never);
}

/** Both parts of the spend bench, as `npm run bench` runs them. */
export async function measureSpend(
  stack: LocalStack,
  levels: readonly number[] = DEFAULT_SPEND_LEVELS,
): Promise<SpendReportFigures> {
  return { reports: await measureSpendReports(stack, levels), commit: await measureCommitLedger(stack) };
}

async function main() {
  const levels = process.argv[2]?.split(",").map(Number) ?? DEFAULT_SPEND_LEVELS;
  const started = process.hrtime.bigint();
  const stack = await startLocalStack({ env: {} });
  try {
    const figures = await measureSpend(stack, levels);
    console.table(figures.reports);
    console.table([figures.commit]);
    console.log(`${(nsToMs(process.hrtime.bigint() - started) / 1000).toFixed(0)} s`);
  } finally {
    await stack.stop();
  }
}

runIfMain(import.meta.url, main);
