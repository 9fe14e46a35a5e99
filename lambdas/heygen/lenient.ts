import { HeyGenError } from "./errors.ts";

/**
 * Reading HeyGen bodies leniently (docs/heygen-facts.md#replies-differ-from-the-schemas): only the spendable amount and its unit are essential.
 * An essential value that is missing or wrong fails the reading (`bad_response`, naming its JSON path); an
 * optional value that does not parse is dropped and noted in `warnings`, one entry per path, each starting
 * with the path. Unknown fields are never looked at.
 */
export class LenientReader {
  readonly warnings: string[] = [];

  constructor(private readonly what: string) {}

  /** The object at `path`, or a failed reading. */
  requiredObject(value: unknown, path: string): Record<string, unknown> {
    if (isObject(value)) return value;
    throw this.fail(`${path}: expected an object, got ${describe(value)}`);
  }

  /** A finite number at `path` (negative allowed: an overdrawn balance is a reading), or a failed reading. */
  requiredNumber(value: unknown, path: string): number {
    if (typeof value === "number" && Number.isFinite(value)) return value;
    throw this.fail(`${path}: expected a number, got ${describe(value)}`);
  }

  /** An object at `path`; absent or null is undefined, anything else is dropped with a warning. */
  optionalObject(value: unknown, path: string): Record<string, unknown> | undefined {
    if (value === undefined || value === null) return undefined;
    if (isObject(value)) return value;
    return this.drop(path, `expected an object, got ${describe(value)}`);
  }

  /** A finite number ≥ 0 at `path`; absent or null is undefined, anything else is dropped with a warning. */
  optionalAmount(value: unknown, path: string): number | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value === "number" && Number.isFinite(value) && value >= 0) return value;
    return this.drop(path, `expected a number ≥ 0, got ${describe(value)}`);
  }

  optionalString(value: unknown, path: string): string | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value === "string" && value.length > 0) return value;
    return this.drop(path, `expected a string, got ${describe(value)}`);
  }

  optionalBoolean(value: unknown, path: string): boolean | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value === "boolean") return value;
    return this.drop(path, `expected true or false, got ${describe(value)}`);
  }

  /** A time at `path` as ISO 8601 UTC (see `readTime`); unreadable is dropped with a warning. */
  optionalTime(value: unknown, path: string): string | undefined {
    if (value === undefined || value === null) return undefined;
    return readTime(value) ?? this.drop(path, `expected a time, got ${describe(value)}`);
  }

  /** Notes that the value at `path` was not used. */
  note(path: string, message: string): void {
    this.warnings.push(`${path}: ${message}`);
  }

  fail(detail: string): HeyGenError {
    return new HeyGenError(
      "bad_response",
      `HeyGen answered a body we cannot read as a balance: ${this.what}: ${detail}`,
    );
  }

  private drop(path: string, why: string): undefined {
    this.note(path, `${why}; dropped`);
    return undefined;
  }
}

const EPOCH_MS_FROM = 1e12; // 2001-09-09 in ms; as seconds it would be the year 33658
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const ISO_WITHOUT_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;

/**
 * A time as HeyGen sends it, as ISO 8601 UTC without milliseconds when there are none
 * (`2026-12-01T00:00:00Z`): an ISO time with a zone; without one (read as UTC, which is what HeyGen's CLI
 * assumes); a date only (midnight UTC); epoch seconds, or epoch milliseconds from 1e12 on (integers or
 * numeric strings). Undefined when it is none of these.
 */
export function readTime(value: unknown): string | undefined {
  let ms: number | undefined;
  if (typeof value === "number" && Number.isFinite(value) && value >= 0) {
    ms = value >= EPOCH_MS_FROM ? value : value * 1000;
  } else if (typeof value === "string") {
    const text = value.trim();
    if (/^\d+$/.test(text)) return readTime(Number(text));
    if (DATE_ONLY.test(text)) ms = Date.parse(`${text}T00:00:00Z`);
    else if (ISO_WITHOUT_ZONE.test(text)) ms = Date.parse(`${text}Z`);
    else if (ISO_WITH_ZONE.test(text)) ms = Date.parse(text);
  }
  if (ms === undefined || !Number.isFinite(ms)) return undefined;
  const date = new Date(ms);
  if (Number.isNaN(date.getTime())) return undefined;
  return date.toISOString().replace(".000Z", "Z");
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A short, key-free description of a value for messages (values are HeyGen's, never ours). */
function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  const text = JSON.stringify(value) ?? String(value);
  return `${typeof value} ${text.length > 40 ? `${text.slice(0, 40)}...` : text}`;
}
