import type {
  AccountDetail,
  AccountSummary,
  Alert,
  CheckAnswer,
  Forecast,
  Reservation,
} from "@heygen-quota-guard/client";
import { describe, expectTypeOf, it } from "vitest";
import type { Alert as ServerAlert } from "#core/account";
import type { Forecast as ServerForecast } from "#core/forecast";
import type { ReservationView } from "#core/reservations";
import type { accountDetail, accountSummary } from "#service/accounts";
import type { CheckAnswer as ServerCheckAnswer } from "#service/checks";

/**
 * The client's answer types are written by hand (the OpenAPI document describes most answers only as
 * objects); `tsc --noEmit` in `npm test` checks them against the types the API answers with, so neither can
 * change without the other. Each server answer must be assignable to the client's type (the client reads
 * nothing the server does not send), field by field.
 */

type Summary = ReturnType<typeof accountSummary>;
type Detail = Awaited<ReturnType<typeof accountDetail>>;

describe("the client's answer types match the API's", () => {
  it("reservation, check, account summary and detail, forecast, alert", () => {
    expectTypeOf<Omit<ReservationView, "estimate">>().toExtend<Omit<Reservation, "estimate">>();
    expectTypeOf<keyof ReservationView>().toEqualTypeOf<keyof Reservation>();
    expectTypeOf<ServerCheckAnswer>().toExtend<CheckAnswer>();
    expectTypeOf<keyof ServerCheckAnswer>().toEqualTypeOf<keyof CheckAnswer>();
    expectTypeOf<Omit<Summary, "latest">>().toExtend<Omit<AccountSummary, "latest">>();
    expectTypeOf<keyof Summary>().toEqualTypeOf<keyof AccountSummary>();
    expectTypeOf<keyof Detail>().toEqualTypeOf<keyof AccountDetail>();
    expectTypeOf<ServerForecast>().toExtend<Forecast>();
    expectTypeOf<keyof ServerForecast>().toEqualTypeOf<keyof Forecast>();
    expectTypeOf<Omit<ServerAlert, "error" | "hoursToExhaustion">>().toExtend<Alert>();
  });
});
