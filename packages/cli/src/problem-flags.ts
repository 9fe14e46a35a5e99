import type { Problem } from "@heygen-quota-guard/client";
import type { Command } from "commander";

/**
 * The one mapping from the API's problem pointers (RFC 6901, into the body, `/query`, `/headers`) to the
 * flags that set them, so that a refusal names what the user typed (`--duration`, not `/durationSeconds`).
 * `/path/id` is the command's argument (`[account]`, `<id>`); a pointer not listed here (`/jobs/0/...`,
 * `/scenes`, `/dimension`) can only have come from the `--spec` file and is named as a pointer in it.
 */
export const FLAG_OF_POINTER: Readonly<Record<string, string>> = {
  "/durationSeconds": "--duration",
  "/script": "--script-file",
  "/engine": "--engine",
  "/resolution": "--resolution",
  "/type": "--type",
  "/translationMode": "--translation-mode",
  "/count": "--count",
  "/test": "--test",
  "/rateCard": "--rate-card",
  "/accountId": "--account",
  "/amount": "--amount",
  "/budget": "--budget",
  "/ttlSeconds": "--ttl",
  "/actualAmount": "--actual",
  "/totalAmount": "--total",
  "/force": "--force",
  "/final": "--partial",
  "/query/since": "--since",
  // The spend report's range and grouping (`quota-guard spend --since --until --by`).
  "/query/from": "--since",
  "/query/to": "--until",
  "/query/groupBy": "--by",
  "/query/until": "--until",
  "/query/limit": "--limit",
  "/query/status": "--status",
  "/query/cursor": "--cursor",
  "/query/accountId": "--account",
  // Every label (`/labels/campaign`) is one --label, and so is a listing's `label.campaign` filter.
  "/labels": "--label",
  "/headers/idempotency-key": "--idempotency-key",
};

/** Field names that are the API's own words (camelCase), rewritten to their flags inside a message. */
const FIELD_WORDS = Object.entries(FLAG_OF_POINTER).flatMap(([pointer, flag]) => {
  const field = pointer.slice(pointer.lastIndexOf("/") + 1);
  return /[A-Z]/.test(field) ? [{ word: new RegExp(`\\b${field}\\b`, "g"), flag }] : [];
});

/**
 * What the user calls the field at `pointer` in `command`: its flag when the command has one and the value
 * did not come from `--spec` (or was missing altogether), the command's argument for `/path/id`, else
 * `--spec <pointer>`. Without a command (a failure before parsing ended), the flag of the table.
 */
export function flagOf(pointer: string, command: Command | undefined): string {
  if (pointer === "/path/id" && command) {
    const argument = command.registeredArguments[0];
    if (argument) return argument.required ? `<${argument.name()}>` : `[${argument.name()}]`;
  }
  const flag = FLAG_OF_POINTER[pointer] ?? labelFlagOf(pointer);
  const specGiven =
    command?.options.some((o) => o.long === "--spec") === true &&
    command.getOptionValueSource("spec") === "cli";
  if (flag) {
    const option = command?.options.find((o) => o.long === flag);
    const flagGiven = option !== undefined && command?.getOptionValueSource(option.attributeName()) === "cli";
    // A field the spec file set (and no flag overrode) is the file's; a missing one is the flag's to give.
    if (flagGiven || !specGiven) return flag;
  }
  if (pointer === "") return specGiven ? "--spec" : "the request";
  return specGiven ? `--spec ${pointer}` : pointer;
}

function labelFlagOf(pointer: string): string | undefined {
  return pointer.startsWith("/labels/") || pointer.startsWith("/query/label.") ? "--label" : undefined;
}

/** A message of the API with its camelCase field names as flags: "translationMode is required" → "--translation-mode is required". */
export function inFlagWords(message: string): string {
  return FIELD_WORDS.reduce((text, { word, flag }) => text.replace(word, flag), message);
}

/** One invalid field as the CLI prints it: what to fix (a flag, an argument, a pointer in --spec) and why. */
export interface FlagError {
  flag: string;
  detail: string;
}

/**
 * A problem in the CLI's words: each `errors[]` entry named by its flag, and the problem's detail only when
 * it says more than those entries (the API's validation detail repeats every entry, which printed each
 * error twice).
 */
export function cliErrors(
  problem: Problem,
  command: Command | undefined,
): { detail: string | undefined; errors: FlagError[] } {
  const errors = (problem.errors ?? []).map((e) => ({
    flag: flagOf(e.pointer, command),
    detail: inFlagWords(e.detail),
  }));
  const raw = problem.errors ?? [];
  const repeats = raw.length > 0 && raw.every((e) => problem.detail?.includes(e.detail));
  const detail = problem.detail && !repeats ? inFlagWords(problem.detail) : undefined;
  return { detail, errors };
}
