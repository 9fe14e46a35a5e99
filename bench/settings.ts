import { resolve } from "node:path";

/** What a bench run measures and how hard; every field comes from an env var or a `--flag=value`. */
export interface BenchSettings {
  /** Simulated HeyGen round trip, per call. */
  heygenLatencyMs: number;
  /** Length of each HTTP load phase. */
  durationSeconds: number;
  /**
   * Concurrency levels for the side-by-side checks (guard and baseline alike at each level): one pipeline
   * asking alone, and several at once.
   */
  connections: number[];
  /** Concurrent clients doing reserve + commit pairs. */
  reservationClients: number;
  /** Measured in-process calls per operation (a fifth as many again warm up first). */
  inProcessIterations: number;
  /** Fresh `node` processes per bundle for the import median. */
  coldStartRuns: number;
  /** Open holds on one account at which reserves are timed and metered, ascending (0 allowed). */
  openHoldLevels: number[];
  /** Budgets (and open holds through them) on one account at which budgeted operations are metered, ascending. */
  budgetLevels: number[];
  /** Ledger entries of one account over which the spend report is timed and metered, ascending. */
  spendEntryLevels: number[];
  /** Account counts for the poller scaling phase, ascending. */
  pollAccountCounts: number[];
  /** `auto` (fetch the Lambda runtime's Node major once), `off`, or a path to a `node` binary. */
  lambdaNode: string;
  /** Where results.json goes. */
  resultsPath: string;
}

interface Field {
  env: string;
  flag: string;
  key: keyof BenchSettings;
  fallback: string;
  parse(raw: string, name: string): BenchSettings[keyof BenchSettings];
}

const FIELDS: readonly Field[] = [
  {
    env: "BENCH_HEYGEN_LATENCY_MS",
    flag: "heygen-latency-ms",
    key: "heygenLatencyMs",
    fallback: "150",
    parse: wholeNumber(0),
  },
  {
    env: "BENCH_DURATION_S",
    flag: "duration-s",
    key: "durationSeconds",
    fallback: "10",
    parse: wholeNumber(1),
  },
  {
    env: "BENCH_CONNECTIONS",
    flag: "connections",
    key: "connections",
    fallback: "1,10",
    parse: ascendingCounts,
  },
  {
    env: "BENCH_RESERVATION_CLIENTS",
    flag: "reservation-clients",
    key: "reservationClients",
    fallback: "32",
    parse: wholeNumber(1),
  },
  {
    env: "BENCH_IN_PROCESS_ITERATIONS",
    flag: "in-process-iterations",
    key: "inProcessIterations",
    fallback: "20000",
    parse: wholeNumber(10),
  },
  {
    env: "BENCH_COLD_START_RUNS",
    flag: "cold-start-runs",
    key: "coldStartRuns",
    fallback: "10",
    parse: wholeNumber(1),
  },
  {
    env: "BENCH_OPEN_HOLDS",
    flag: "open-holds",
    key: "openHoldLevels",
    fallback: "0,1000,10000",
    parse: (raw, name) => ascendingCounts(raw, name, 0),
  },
  {
    env: "BENCH_BUDGETS",
    flag: "budgets",
    key: "budgetLevels",
    fallback: "0,100,1000",
    parse: (raw, name) => ascendingCounts(raw, name, 0),
  },
  {
    env: "BENCH_SPEND_ENTRIES",
    flag: "spend-entries",
    key: "spendEntryLevels",
    fallback: "1000,10000",
    parse: (raw, name) => ascendingCounts(raw, name, 1),
  },
  {
    env: "BENCH_POLL_ACCOUNTS",
    flag: "poll-accounts",
    key: "pollAccountCounts",
    fallback: "1,10,100,500",
    parse: ascendingCounts,
  },
  {
    env: "BENCH_LAMBDA_NODE",
    flag: "lambda-node",
    key: "lambdaNode",
    fallback: "auto",
    parse: (raw) => raw,
  },
  {
    env: "BENCH_RESULTS",
    flag: "results",
    key: "resultsPath",
    fallback: "bench/results.json",
    parse: (raw) => resolve(raw),
  },
];

export class BenchSettingsError extends Error {
  override readonly name = "BenchSettingsError";
}

/** Settings from `--flag=value` arguments, then environment variables, then defaults. */
export function parseBenchSettings(
  argv: readonly string[] = process.argv.slice(2),
  env: Record<string, string | undefined> = process.env,
): BenchSettings {
  const flags = parseFlags(argv);
  const settings: Partial<Record<keyof BenchSettings, unknown>> = {};
  for (const field of FIELDS) {
    const fromFlag = flags.get(field.flag);
    const name = fromFlag === undefined ? field.env : `--${field.flag}`;
    settings[field.key] = field.parse(fromFlag ?? env[field.env] ?? field.fallback, name);
  }
  return settings as BenchSettings;
}

/** The documented knobs, for `--help`. */
export function settingsHelp(): string {
  return FIELDS.map((f) => `  --${f.flag}=…  or ${f.env}  (default ${f.fallback})`).join("\n");
}

function parseFlags(argv: readonly string[]): Map<string, string> {
  const known = new Set(FIELDS.map((f) => f.flag));
  const flags = new Map<string, string>();
  for (const arg of argv) {
    const match = /^--([a-z0-9-]+)=(.*)$/.exec(arg);
    if (!match || !known.has(match[1] as string)) {
      throw new BenchSettingsError(`unknown argument ${arg}; the settings are:\n${settingsHelp()}`);
    }
    flags.set(match[1] as string, match[2] as string);
  }
  return flags;
}

function wholeNumber(min: number) {
  return (raw: string, name: string): number => {
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min) {
      throw new BenchSettingsError(`${name}: must be a whole number ≥ ${min} (got "${raw}")`);
    }
    return value;
  };
}

function ascendingCounts(raw: string, name: string, min = 1): number[] {
  const counts = raw.split(",").map((part) => wholeNumber(min)(part.trim(), name));
  if (counts.some((count, i) => i > 0 && count <= (counts[i - 1] as number))) {
    throw new BenchSettingsError(`${name}: must be ascending counts such as 1,10,100 (got "${raw}")`);
  }
  return counts;
}
