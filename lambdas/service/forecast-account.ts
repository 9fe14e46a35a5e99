import { DEFAULT_FORECAST_WINDOW_HOURS, type Forecast, forecast } from "#core/forecast";
import type { AccountStore } from "./store-port.ts";

/** Enough for a day of polls at one a minute. */
const HISTORY_LIMIT = 1000;

/** The account's forecast from its recorded snapshots over the forecast window (one Query). */
export async function forecastAccount(
  services: { store: Pick<AccountStore, "listSnapshots"> },
  accountId: string,
  available: number,
  now: Date,
): Promise<Forecast> {
  const history = await services.store.listSnapshots(accountId, {
    since: new Date(now.getTime() - DEFAULT_FORECAST_WINDOW_HOURS * 3_600_000),
    limit: HISTORY_LIMIT,
  });
  return forecast(history, { now, available });
}
