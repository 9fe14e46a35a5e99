import type {
  AccountDetail,
  AccountSummary,
  Alert,
  CheckAnswer,
  Forecast,
  Reservation,
  ReservationPage,
} from "@heygen-quota-guard/client";
import { describe, expectTypeOf, it } from "vitest";
import type { Alert as ServerAlert } from "#core/account";
import type { Forecast as ServerForecast } from "#core/forecast";
import type { ReservationView } from "#core/reservations";
import type { accountSummary, getAccount } from "#service/accounts";
import type { CheckAnswer as ServerCheckAnswer } from "#service/checks";
import type { listAccountReservations } from "#service/reservations";

/**
 * The client's answer types are generated from the OpenAPI document, whose answer schemas type the API's
 * routes (lambdas/api/route-table.ts); `tsc --noEmit` in `npm test` also holds them to the use cases'
 * return types here, so neither side can drift. Each server answer must be assignable to the client's type
 * (the client reads nothing the server does not send), with the same fields.
 */

type Summary = ReturnType<typeof accountSummary>;
type Detail = Awaited<ReturnType<typeof getAccount>>;
type Page = Awaited<ReturnType<typeof listAccountReservations>>;

describe("the client's answer types match the API's", () => {
  it("reservation, check, account summary and detail, forecast, alert", () => {
    expectTypeOf<Omit<ReservationView, "estimate">>().toExtend<Omit<Reservation, "estimate">>();
    expectTypeOf<keyof ReservationView>().toEqualTypeOf<keyof Reservation>();
    expectTypeOf<Omit<Page, "reservations">>().toExtend<Omit<ReservationPage, "reservations">>();
    expectTypeOf<ServerCheckAnswer>().toExtend<CheckAnswer>();
    expectTypeOf<keyof ServerCheckAnswer>().toEqualTypeOf<keyof CheckAnswer>();
    expectTypeOf<Summary>().toExtend<AccountSummary>();
    expectTypeOf<keyof Summary>().toEqualTypeOf<keyof AccountSummary>();
    expectTypeOf<Detail>().toExtend<AccountDetail>();
    expectTypeOf<keyof Detail>().toEqualTypeOf<keyof AccountDetail>();
    expectTypeOf<ServerForecast>().toExtend<Forecast>();
    expectTypeOf<keyof ServerForecast>().toEqualTypeOf<keyof Forecast>();
    expectTypeOf<ServerAlert>().toExtend<Alert>();
    expectTypeOf<keyof ServerAlert>().toEqualTypeOf<keyof Alert>();
  });
});
