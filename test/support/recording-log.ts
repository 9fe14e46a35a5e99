import { inspect } from "node:util";
import type { Log } from "#service/services";

/** A Log that keeps every line, rendered in full (errors with their stacks and causes), for assertions. */
export class RecordingLog implements Log {
  readonly lines: string[] = [];

  info(message: string, ...extra: Record<string, unknown>[]): void {
    this.record("INFO", message, extra);
  }

  warn(message: string, ...extra: Record<string, unknown>[]): void {
    this.record("WARN", message, extra);
  }

  error(message: string, ...extra: Record<string, unknown>[]): void {
    this.record("ERROR", message, extra);
  }

  /** Lines at `level` whose message is `message`. */
  find(level: "INFO" | "WARN" | "ERROR", message: string): string[] {
    return this.lines.filter((line) => line.startsWith(`${level} ${message}`));
  }

  private record(level: string, message: string, extra: Record<string, unknown>[]): void {
    this.lines.push(
      `${level} ${message} ${inspect(extra, { depth: null, breakLength: Number.POSITIVE_INFINITY })}`,
    );
  }
}
