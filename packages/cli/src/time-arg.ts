import { InvalidArgumentError } from "commander";

const DURATION = /^(\d+(?:\.\d+)?)([smhd])$/;
const SECONDS = { s: 1, m: 60, h: 3600, d: 86400 } as const;

/**
 * A time flag (`--since`, `--until`): `24h` (30m, 7d: s, m, h or d ago) or an ISO 8601 time, as the API's
 * ISO string. Anything else is an InvalidArgumentError, which commander reports naming the flag (exit 2).
 */
export function timeArg(value: string): string {
  const relative = DURATION.exec(value);
  if (relative) {
    const seconds = Number(relative[1]) * SECONDS[relative[2] as keyof typeof SECONDS];
    return new Date(Date.now() - seconds * 1000).toISOString();
  }
  if (Number.isNaN(Date.parse(value))) throw new InvalidArgumentError("use 30m, 24h, 7d or an ISO 8601 time");
  return new Date(value).toISOString();
}
