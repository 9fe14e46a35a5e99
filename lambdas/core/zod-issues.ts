import type * as z from "./zod.ts";

/**
 * The one reading of a zod error, for every message the project writes about invalid input (API problems,
 * config, rate cards, HeyGen replies): each invalid field with its path and what is wrong with it.
 */
export interface FieldIssue {
  path: readonly PropertyKey[];
  message: string;
}

/**
 * `perKey`: unknown keys, which zod reports once on their parent object ("Unrecognized keys: a, b"), become
 * one issue per offending key, so that a JSON pointer can name each (the API's `errors[]`).
 */
export function issuesOf(error: z.core.$ZodError, { perKey = true } = {}): FieldIssue[] {
  return error.issues.flatMap((issue) => {
    if (perKey && issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({ path: [...issue.path, key], message: "is not a known field" }));
    }
    // A record's key that fails its schema is reported as "Invalid key in record"; the key's own message
    // (a label key's pattern) says what to fix.
    if (issue.code === "invalid_key" && issue.issues[0]) {
      return [{ path: issue.path, message: `the key ${issue.issues[0].message}` }];
    }
    return [{ path: issue.path, message: issue.message }];
  });
}

/** A path as a JSON pointer (RFC 6901), after `prefix`: `/jobs/0/durationSeconds`. */
export function toPointer(path: readonly PropertyKey[], prefix = ""): string {
  return prefix + path.map((p) => `/${String(p).replaceAll("~", "~0").replaceAll("/", "~1")}`).join("");
}

/** An invalid field named by a JSON pointer, as the API's problems list it (`errors[]`). */
export interface PointedIssue {
  pointer: string;
  detail: string;
}

/** A zod error as pointer-named issues, each pointer after `prefix` (`/query`, `/headers`); unknown keys one each. */
export function pointedIssues(error: z.core.$ZodError, prefix = ""): PointedIssue[] {
  return issuesOf(error).map((issue) => ({ pointer: toPointer(issue.path, prefix), detail: issue.message }));
}

/** A path as dotted segments for a person reading a file: `accounts.0.thresholds`, `(root)` when empty. */
export function dottedPath(path: readonly PropertyKey[]): string {
  return path.length ? path.map(String).join(".") : "(root)";
}

/** A document (config, rate card) that does not validate; the message names every invalid field. */
export class InvalidDocumentError extends Error {
  constructor(
    /** What the document is, for the message: `Quota Guard config`, `rate card`. */
    what: string,
    readonly source: string,
    readonly issues: { path: string; message: string }[],
  ) {
    super(`Invalid ${what} (${source}):\n${issues.map((i) => `  - ${i.path}: ${i.message}`).join("\n")}`);
  }
}

/** The issues of a zod error as InvalidDocumentError lists them (dotted paths; unknown keys on their parent). */
export function documentIssues(error: z.core.$ZodError): { path: string; message: string }[] {
  return issuesOf(error, { perKey: false }).map((issue) => ({
    path: dottedPath(issue.path),
    message: issue.message,
  }));
}
