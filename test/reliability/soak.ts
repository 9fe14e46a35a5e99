/**
 * The soak: a bounded run of mixed checks, reservations, commits, releases and polls against the local
 * stack (loopback only), with random HeyGen faults, then the invariants. `npm run soak` runs it for
 * SOAK_SECONDS (default 100, at most 120); soak.test.ts runs a 15 s version in `npm run test:proofs` (seed printed; SOAK_SEED replays it).
 */

import { pathToFileURL } from "node:url";
import { parseConfig } from "#config/config";
import type { Alert } from "#core/account";
import { SANDBOX_FAULTS, type SandboxFault } from "#local/heygen-sandbox";
import type { DeliveredNotification } from "#local/sns-local";
import { type LocalStack, type LocalStackOptions, startLocalStack } from "#local/stack";
import type { PollResult } from "#service/poll-account";
import { sandboxOf } from "#test/support/e2e";
import { RecordingLog } from "#test/support/recording-log";
import {
  type AccountSummary,
  countedHoldIds,
  type Ledger,
  RESERVATION_INVARIANTS,
  recordCommit,
  reservationViolations,
} from "#test/support/reservation-invariants";
import { scanTable } from "#test/support/table-scan";

export interface SoakOptions {
  durationMs: number;
  workers?: number;
  seed?: number;
  /** How the stack is started (default `startLocalStack`; the test passes the run's shared DynamoDB Local). */
  startStack?: (options: LocalStackOptions) => Promise<LocalStack>;
}

export interface SoakFigures {
  seed: number;
  durationMs: number;
  requests: number;
  byOperation: Record<string, number>;
  byStatus: Record<string, number>;
  polls: number;
  ticks: number;
  faultsInjected: number;
  alertsSent: number;
  notificationsDelivered: number;
  invariantsChecked: number;
  violations: string[];
}

/** Faults that answer within a second (a long Retry-After or a 30 s hang would only slow the run down). */
const SOAK_FAULTS = SANDBOX_FAULTS.filter(
  (f) => !["slow", "rate_limited", "empty_details", "not_found_v3"].includes(f),
);
const ACCOUNT = "default";

/** mulberry32: a small seeded generator, so a failing run can be replayed with its seed. */
function generator(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)) };
}

type Json = Record<string, unknown>;

export async function runSoak(options: SoakOptions): Promise<SoakFigures> {
  const seed = options.seed ?? Date.now() % 2 ** 31;
  const random = generator(seed);
  const log = new RecordingLog();
  const delivered: DeliveredNotification[] = [];
  const stack = await (options.startStack ?? startLocalStack)({
    config: parseConfig({
      accounts: [{ id: ACCOUNT, thresholds: { warning: 50, critical: 10 } }],
      // Nothing settles or goes stale during the run, so the ledger below is the whole truth.
      checks: { maxBalanceAgeSeconds: 3600 },
      reservations: { settleSeconds: 86_400 },
    }),
    env: {},
    log,
    heygenTimeoutMs: 300,
    pollIntervalSeconds: 0,
  });
  const figures: SoakFigures = {
    seed,
    durationMs: options.durationMs,
    requests: 0,
    byOperation: {},
    byStatus: {},
    polls: 0,
    ticks: 0,
    faultsInjected: 0,
    alertsSent: 0,
    notificationsDelivered: 0,
    invariantsChecked: 0,
    violations: [],
  };
  const violate = (message: string) => figures.violations.push(message);
  const ledger: Ledger = new Map();
  const held: { id: string; amount: number }[] = [];
  const usedKeys: string[] = [];
  const pollResults: { tick: string; result: PollResult }[] = [];

  const call = async (
    operation: string,
    method: string,
    path: string,
    body?: Json,
    headers: Record<string, string> = {},
  ) => {
    const response = await fetch(`${stack.url}${path}`, {
      method,
      headers: { ...(body ? { "content-type": "application/json" } : {}), ...headers },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const json = (await response.json()) as Json;
    figures.requests++;
    figures.byOperation[operation] = (figures.byOperation[operation] ?? 0) + 1;
    figures.byStatus[response.status] = (figures.byStatus[response.status] ?? 0) + 1;
    if (response.status >= 500) violate(`${operation} answered ${response.status}: ${JSON.stringify(json)}`);
    return { status: response.status, json };
  };

  const operations: [number, () => Promise<void>][] = [
    [
      30,
      async () => {
        const { status } = await call("check", "POST", "/v1/checks", { durationSeconds: random.int(1, 60) });
        if (status !== 200) violate(`check answered ${status}`);
      },
    ],
    [
      25,
      async () => {
        const repeat = usedKeys.length > 0 && random.next() < 0.15;
        const key = repeat
          ? (usedKeys[random.int(0, usedKeys.length - 1)] as string)
          : `soak-${seed}-${usedKeys.length}-${random.int(0, 1e9)}`;
        const amount = random.int(100, 1500) / 100;
        const { status, json } = await call(
          "reserve",
          "POST",
          "/v1/reservations",
          { amount },
          { "idempotency-key": key },
        );
        // Offered for repeats only once answered: a repeat racing the first request could otherwise make the
        // first one the "repeat" and its 200 look like a new key's.
        if (!repeat) usedKeys.push(key);
        if (status === 201) {
          ledger.set(json.id as string, amount);
          held.push({ id: json.id as string, amount });
        } else if (status === 200 && !repeat) violate(`a new Idempotency-Key answered 200 (${key})`);
        else if (![200, 409].includes(status)) violate(`reserve answered ${status}`);
      },
    ],
    [
      15,
      async () => {
        const hold = held.splice(random.int(0, held.length - 1), 1)[0];
        if (!hold) return;
        const actualAmount = Math.round(hold.amount * random.next() * 100) / 100;
        const { status } = await call("commit", "POST", `/v1/reservations/${hold.id}/commit`, {
          actualAmount,
        });
        if (status === 200) recordCommit(ledger, hold.id, actualAmount);
        else violate(`commit of a held reservation answered ${status}`);
      },
    ],
    [
      20,
      async () => {
        const hold = held.splice(random.int(0, held.length - 1), 1)[0];
        if (!hold) return;
        const { status } = await call("release", "POST", `/v1/reservations/${hold.id}/release`);
        if (status === 200) ledger.delete(hold.id);
        else violate(`release of a held reservation answered ${status}`);
      },
    ],
    [
      10,
      async () => {
        const { status, json } = await call("account", "GET", `/v1/accounts/${ACCOUNT}`);
        figures.invariantsChecked++;
        // Below zero only while the recorded balance itself is (an overdrawn reading, issue 10).
        const overdrawn = typeof json.remaining === "number" && json.remaining < 0;
        if (status !== 200 || typeof json.available !== "number" || (json.available < 0 && !overdrawn)) {
          violate(`account answered ${status} with available ${json.available}`);
        }
      },
    ],
  ];
  const totalWeight = operations.reduce((sum, [weight]) => sum + weight, 0);
  const pickOperation = () => {
    let roll = random.next() * totalWeight;
    for (const [weight, run] of operations) {
      roll -= weight;
      if (roll < 0) return run;
    }
    return operations[0]?.[1] as () => Promise<void>;
  };

  const deadline = Date.now() + options.durationMs;
  const worker = async () => {
    while (Date.now() < deadline) await pickOperation()();
  };
  const poller = async () => {
    const base = Date.UTC(2030, 0, 1);
    while (Date.now() < deadline) {
      const tick = new Date(base + figures.ticks++ * 300_000).toISOString();
      sandboxOf(stack).clearFaults();
      if (random.next() < 0.35) {
        const fault = SOAK_FAULTS[random.int(0, SOAK_FAULTS.length - 1)] as SandboxFault;
        sandboxOf(stack).setFault("*", fault, { times: random.int(1, 4) });
        figures.faultsInjected++;
      }
      // A tick may be delivered more than once, even at the same time (at-least-once scheduling).
      const copies = random.int(1, 3);
      const results = await Promise.all(Array.from({ length: copies }, () => stack.pollNow(tick)));
      for (const [result] of results) if (result) pollResults.push({ tick, result });
      figures.polls += copies;
      await new Promise((r) => setTimeout(r, random.int(50, 250)));
    }
    sandboxOf(stack).clearFaults();
  };

  try {
    const firstTick = new Date(Date.UTC(2029, 11, 31)).toISOString();
    for (const result of await stack.pollNow(firstTick)) pollResults.push({ tick: firstTick, result });
    await Promise.all([poller(), ...Array.from({ length: options.workers ?? 6 }, worker)]);
    delivered.push(...(await stack.sns.drain(1)));
    await checkInvariants(stack, ledger, pollResults, delivered, figures);
  } finally {
    await stack.stop();
  }
  return figures;
}

async function checkInvariants(
  stack: LocalStack,
  ledger: Ledger,
  pollResults: { tick: string; result: PollResult }[],
  delivered: DeliveredNotification[],
  figures: SoakFigures,
) {
  const violate = (message: string) => figures.violations.push(message);
  const summary = (await (await fetch(`${stack.url}/v1/accounts/${ACCOUNT}`)).json()) as AccountSummary;
  const state = await stack.services.store.getAccountState(ACCOUNT);
  const stored = await countedHoldIds(stack.dynamo.doc, stack.tableName, ACCOUNT);
  for (const v of reservationViolations(ledger, summary, state, stored)) violate(v);
  figures.invariantsChecked += RESERVATION_INVARIANTS;

  // One snapshot per tick: exactly the ticks some poll recorded, each once.
  const items = await scanTable(stack.dynamo.doc, stack.tableName);
  const snapshotTicks = items.filter((i) => String(i.sk).startsWith("SNAPSHOT#")).map((i) => String(i.tick));
  const recordedTicks = new Set(pollResults.filter((p) => p.result.status === "recorded").map((p) => p.tick));
  if (new Set(snapshotTicks).size !== snapshotTicks.length) violate("a tick has two snapshots");
  const missing = [...recordedTicks].filter((t) => !snapshotTicks.includes(t));
  const extra = snapshotTicks.filter((t) => !recordedTicks.has(t));
  if (missing.length) violate(`recorded ticks without a snapshot: ${missing.join(", ")}`);
  if (extra.length) violate(`snapshots for ticks no poll recorded: ${extra.join(", ")}`);
  figures.invariantsChecked += 3;

  // Every alert logged once: one sent alert per tick and type at most, and SNS got exactly the sent ones.
  const sentByTick = new Map<string, number>();
  for (const { tick, result } of pollResults) {
    for (const alert of result.alerts.filter((a) => a.status === "sent")) {
      const key = `${tick} ${alert.alertType}`;
      sentByTick.set(key, (sentByTick.get(key) ?? 0) + 1);
    }
  }
  for (const [key, count] of sentByTick) if (count > 1) violate(`alert sent ${count} times for tick ${key}`);
  const alertLog = (await stack.services.store.listAlerts(ACCOUNT, 1000)) as Alert[];
  const sentLog = alertLog.filter((a) => a.status === "sent");
  const describe = (type: unknown, severity: unknown) => `${type}/${severity}`;
  const logged = sentLog.map((a) => describe(a.alertType, a.severity)).sort();
  const published = delivered.map((d) => describe(d.attributes.alertType, d.attributes.severity)).sort();
  if (JSON.stringify(logged) !== JSON.stringify(published)) {
    violate(
      `alert log (sent) ${JSON.stringify(logged)} differs from SNS deliveries ${JSON.stringify(published)}`,
    );
  }
  const polledSent = pollResults.flatMap((p) => p.result.alerts).filter((a) => a.status === "sent").length;
  if (polledSent !== sentLog.length)
    violate(`${polledSent} alerts sent by polls, ${sentLog.length} logged as sent`);
  figures.alertsSent = sentLog.length;
  figures.notificationsDelivered = delivered.length;
  figures.invariantsChecked += 3;
}

const MAX_SOAK_SECONDS = 120;

async function main() {
  const seconds = Math.min(Number(process.env.SOAK_SECONDS ?? 100), MAX_SOAK_SECONDS);
  const seed = process.env.SOAK_SEED ? Number(process.env.SOAK_SEED) : undefined;
  const figures = await runSoak({ durationMs: seconds * 1000, ...(seed === undefined ? {} : { seed }) });
  console.log(JSON.stringify(figures, null, 2));
  process.exitCode = figures.violations.length === 0 ? 0 : 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await main();
