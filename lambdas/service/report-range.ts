import { type ReportRange, reportRange } from "#core/report-range";
import { InvalidRequestError } from "./errors.ts";
import type { Services } from "./services.ts";

/**
 * A report's range as its query asks (core/report-range.ts: default the 30 days to now, at most 92 days).
 *
 * @throws InvalidRequestError naming `/query/from` (and `/query/to`) for a reversed or too long range
 */
export function requestedRange(
  services: Pick<Services, "now">,
  query: { from?: string | undefined; to?: string | undefined },
): ReportRange {
  const resolved = reportRange(query, services.now());
  if ("issues" in resolved) throw new InvalidRequestError(resolved.issues, "query");
  return resolved.range;
}
