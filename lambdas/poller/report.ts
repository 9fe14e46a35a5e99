import type { Metrics } from "@aws-lambda-powertools/metrics";
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import { DIMENSION, METRIC } from "#config/observability";
import type { PollResult } from "#service/poll-account";

/** Emits one account's poll as metrics (EMF): balance, burn, time to exhaustion, failures, alerts. */
export function reportPoll(metrics: Metrics, result: PollResult): void {
  const single = metrics.singleMetric();
  single.addDimension(DIMENSION.accountId, result.accountId);
  if (result.status === "failed") {
    single.addMetric(METRIC.pollFailures, MetricUnit.Count, 1);
  } else if (result.status === "recorded") {
    single.addMetric(METRIC.pollSuccesses, MetricUnit.Count, 1);
    if (result.view?.remaining != null)
      single.addMetric(METRIC.remaining, MetricUnit.NoUnit, result.view.remaining);
    if (result.view?.available != null)
      single.addMetric(METRIC.available, MetricUnit.NoUnit, result.view.available);
    if (result.forecast?.burnRatePerHour != null) {
      single.addMetric(METRIC.burnRatePerHour, MetricUnit.NoUnit, result.forecast.burnRatePerHour);
    }
    if (result.forecast?.hoursToExhaustion != null) {
      single.addMetric(METRIC.hoursToExhaustion, MetricUnit.NoUnit, result.forecast.hoursToExhaustion);
    }
  }
  const sent = result.alerts.filter((a) => a.status === "sent").length;
  const failed = result.alerts.length - sent;
  if (sent) single.addMetric(METRIC.alertsSent, MetricUnit.Count, sent);
  if (failed) single.addMetric(METRIC.alertsFailed, MetricUnit.Count, failed);
  single.publishStoredMetrics();
}
