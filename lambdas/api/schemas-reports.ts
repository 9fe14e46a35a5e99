import { parseSpendGrouping, SPEND_GROUPINGS } from "#core/spend-report";
import * as z from "#core/zod";
import { described } from "#core/zod-meta";
import { IsoTime } from "./schemas.ts";

/**
 * The query of a report over time: `from` (included) and `to` (excluded), ISO instants; the use case fills
 * in the defaults and refuses a reversed or too long range (core/report-range.ts).
 */
export const ReportRangeQuery = {
  from: described(z.optional(IsoTime), "ReportRangeQuery.from"),
  to: described(z.optional(IsoTime), "ReportRangeQuery.to"),
};

const GROUP_BY_HELP = `label:<key>, ${SPEND_GROUPINGS.join(", ")}`;

export const SpendQuery = z.strictObject({
  ...ReportRangeQuery,
  groupBy: described(
    z._default(
      z.string().check(
        z.refine((value) => parseSpendGrouping(value) !== undefined, {
          message: `must be one of ${GROUP_BY_HELP} (a label key matches [a-z][a-z0-9_.-]{0,39})`,
        }),
      ),
      "day",
    ),
    "SpendQuery.groupBy",
  ),
});

/** The query of GET /v1/accounts/{id}/reconciliation and GET /v1/rate-cards/accuracy: the range alone. */
export const RangeQuery = z.strictObject(ReportRangeQuery);
