/**
 * The time range of a report (spend, reconciliation, estimate accuracy): `[from, to)` of ISO instants, by
 * default the 30 days to now. Pure: the clock is passed in.
 */

/** Days a report may span: a quarter, as much as the ledger keeps by default (`retentionDays` 90) and a little more. */
export const MAX_REPORT_DAYS = 92;
/** Days a report spans when the caller names no `from`. */
export const DEFAULT_REPORT_DAYS = 30;

const DAY_MS = 86_400_000;

/** A resolved range; `from` included, `to` excluded, both ISO (UTC, milliseconds). */
export interface ReportRange {
  from: string;
  to: string;
}

/** Why a range was refused: the query parameter it names and what is wrong with it. */
export interface ReportRangeIssue {
  pointer: "/query/from" | "/query/to";
  detail: string;
}

/**
 * The range a query asks for: `to` defaults to now, `from` to DEFAULT_REPORT_DAYS before `to`.
 *
 * @param query ISO instants as the route parsed them (any offset)
 * @returns the range, or the issues that refuse it: `from` not before `to`, or a span over MAX_REPORT_DAYS
 */
export function reportRange(
  query: { from?: string; to?: string },
  now: Date,
): { range: ReportRange } | { issues: ReportRangeIssue[] } {
  const toMs = query.to === undefined ? now.getTime() : Date.parse(query.to);
  const fromMs = query.from === undefined ? toMs - DEFAULT_REPORT_DAYS * DAY_MS : Date.parse(query.from);
  if (fromMs >= toMs) {
    return {
      issues: [
        { pointer: "/query/from", detail: `is not before to (${new Date(toMs).toISOString()})` },
        ...(query.to !== undefined ? [{ pointer: "/query/to" as const, detail: "is not after from" }] : []),
      ],
    };
  }
  if (toMs - fromMs > MAX_REPORT_DAYS * DAY_MS) {
    return {
      issues: [
        {
          pointer: "/query/from",
          detail: `spans more than ${MAX_REPORT_DAYS} days to ${new Date(toMs).toISOString()}; ask for several ranges`,
        },
      ],
    };
  }
  return { range: { from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString() } };
}
