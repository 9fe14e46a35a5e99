import { readFile } from "node:fs/promises";
import {
  ConflictError,
  InsufficientBalanceError,
  NotFoundError,
  QuotaGuardClient,
  ServiceUnavailableError,
  UnreachableError,
  ValidationError,
} from "@heygen-quota-guard/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "#local/free-port";
import type { LocalStack } from "#local/stack";
import { startOneAccountStack } from "#test/support/e2e";
import { type FaultyLink, startFaultyLink } from "#test/support/faulty-link";
import { GENERATED_TYPES_PATH, generateClientTypes } from "../../packages/client/scripts/openapi-types.ts";

/** The typed client against the real local stack (DynamoDB Local, the HeyGen sandbox, the HTTP adapter). */

const ACCOUNT = "pipe";
const FAST_RETRY = { attempts: 4, baseDelayMs: 5, maxDelayMs: 20 };
let stack: LocalStack;
let link: FaultyLink;
let client: QuotaGuardClient;

/** A job of 60 s on Avatar IV: 6 credits on the 2025 API credits card. */
const JOB = { durationSeconds: 60 };
const JOB_COST = 6;

const account = () => client.balance(ACCOUNT);

beforeAll(async () => {
  let readCredits: (balance: number, tick?: string) => Promise<void>;
  ({ stack, readCredits } = await startOneAccountStack(ACCOUNT));
  // Low first (a warning), then funded (recovered): the alert log has two entries.
  await readCredits(45, new Date(Date.now() - 120_000).toISOString());
  await readCredits(100);
  link = await startFaultyLink(stack.url);
  client = new QuotaGuardClient({ url: link.url, retry: FAST_RETRY });
}, 60_000);

afterAll(async () => {
  await link?.close();
  await stack?.stop();
});

describe("generated types", () => {
  it("the checked-in file is what openapi-typescript makes of the served GET /openapi.json", async () => {
    const served = (await (await fetch(`${stack.url}/openapi.json`)).json()) as object;
    const checkedIn = await readFile(GENERATED_TYPES_PATH, "utf8");
    // On failure: run `npm run generate:client` and commit the result.
    expect(await generateClientTypes(served)).toBe(checkedIn);
  });
});

describe("helpers", () => {
  it("estimate and check answer typed bodies; a denied check is an answer, not an error", async () => {
    const estimate = await client.estimate(JOB);
    expect(estimate).toMatchObject({ rateCard: "heygen-api-credits-2025", unit: "credits", total: JOB_COST });

    const allowed = await client.check(JOB);
    expect(allowed).toMatchObject({
      allowed: true,
      decision: "allow",
      accountId: ACCOUNT,
      required: JOB_COST,
    });

    const denied = await client.check({ durationSeconds: 3600 });
    expect(denied).toMatchObject({ allowed: false, decision: "deny", required: 360 });
    expect(denied.shortfall).toBe(360 - (denied.available ?? 0));
  });

  it("balance (of the only account, without naming it), accounts, history and alerts", async () => {
    const detail = await client.balance();
    expect(detail).toMatchObject({ accountId: ACCOUNT, unit: "credits", remaining: 100, alertLevel: "ok" });
    expect(detail).toHaveProperty("forecast");
    expect((await client.accounts()).map((a) => a.accountId)).toEqual([ACCOUNT]);
    const history = await client.history(undefined, { limit: 5 });
    expect(history[0]).toMatchObject({ accountId: ACCOUNT, remaining: 100, unit: "credits" });
    const alerts = await client.alerts(ACCOUNT, { limit: 5 });
    expect(alerts.map((a) => a.alertType)).toEqual(["recovered", "low_balance"]);
  });

  it("reserve → commit at the actual amount; a repeated commit answers the committed hold", async () => {
    const before = await account();
    const held = await client.reserve(JOB, { idempotencyKey: "client-commit-1" });
    expect(held).toMatchObject({ status: "held", amount: JOB_COST, accountId: ACCOUNT });
    expect((await account()).reserved).toBe(before.reserved + JOB_COST);

    const again = await client.reserve(JOB, { idempotencyKey: "client-commit-1" });
    expect(again.id).toBe(held.id);

    const committed = await client.commit(held.id, { actualAmount: 4.5 });
    expect(committed).toMatchObject({ id: held.id, status: "committed", actualAmount: 4.5 });
    expect(await client.commit(held.id, { actualAmount: 4.5 })).toMatchObject({ status: "committed" });
  });

  it("reserve → release; releasing a committed hold is a ConflictError naming its status", async () => {
    const held = await client.reserve({ amount: 2 });
    const released = await client.release(held.id);
    expect(released).toMatchObject({ id: held.id, status: "released" });
    expect((await client.reservation(held.id)).status).toBe("released");

    const other = await client.reserve({ amount: 1 });
    await client.commit(other.id);
    const error = await client.release(other.id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).reservationStatus).toBe("committed");
  });

  it("a hold that does not fit is an InsufficientBalanceError with required, available and shortfall", async () => {
    const { available } = await account();
    const error = await client.reserve({ amount: 500 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InsufficientBalanceError);
    const insufficient = error as InsufficientBalanceError;
    expect(insufficient).toMatchObject({ status: 409, required: 500, available, unit: "credits" });
    expect(insufficient.shortfall).toBeCloseTo(500 - (available ?? 0), 6);
  });

  it("bad input, unknown ids: ValidationError with the field's pointer, NotFoundError", async () => {
    const invalid = await client.estimate({ durationSeconds: -1 }).catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(ValidationError);
    expect((invalid as ValidationError).problem.errors?.[0]?.pointer).toBe("/durationSeconds");
    await expect(client.balance("nobody")).rejects.toBeInstanceOf(NotFoundError);
    await expect(client.reservation(`rsv_${ACCOUNT}_${"A".repeat(22)}`)).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });
});

describe("transient failures", () => {
  it("503s and dropped connections are retried; a lost reserve answer never makes a second hold", async () => {
    const before = await account();
    link.inject("unavailable", "drop", "lose-answer");
    const held = await client.reserve({ amount: 3 }, { idempotencyKey: "client-lost-answer" });
    const reserves = link.forwarded.filter((r) => r === "POST /v1/reservations");
    expect(reserves.length).toBeGreaterThanOrEqual(2); // the lost one and the retry
    expect((await account()).reserved).toBe(before.reserved + 3);

    link.inject("lose-answer"); // the commit happens; its answer is lost; the retry meets a committed hold
    expect(await client.commit(held.id)).toMatchObject({ id: held.id, status: "committed" });
  });

  it("after the last attempt: ServiceUnavailableError with retryAfter; UnreachableError with nothing listening", async () => {
    link.inject("unavailable", "unavailable", "unavailable", "unavailable");
    const error = await client.check(JOB).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect(error).toMatchObject({ status: 503, retryAfter: 0 });

    const nowhere = new QuotaGuardClient({ url: `http://127.0.0.1:${await freePort()}`, retry: FAST_RETRY });
    await expect(nowhere.check(JOB)).rejects.toBeInstanceOf(UnreachableError);
  });
});

describe("withReservation", () => {
  it("commits at the actual amount the job returns", async () => {
    const before = await account();
    const outcome = await client.withReservation({ ...JOB, idempotencyKey: "wr-success" }, async (hold) => {
      expect(hold.status).toBe("held");
      return { actualAmount: 5, videoId: "v-1" };
    });
    expect(outcome.reservation).toMatchObject({ status: "committed", actualAmount: 5, amount: JOB_COST });
    expect(outcome.result).toEqual({ actualAmount: 5, videoId: "v-1" });
    expect(outcome.resumed).toBe(false);
    // Committed spend counts until a poll sees HeyGen's charge: 5, not the held 6.
    expect((await account()).reserved).toBe(before.reserved + 5);
  });

  it("releases the hold when the job throws, and rethrows the job's error", async () => {
    const before = await account();
    let holdId = "";
    const failure = new Error("render failed");
    await expect(
      client.withReservation({ amount: 7, idempotencyKey: "wr-failure" }, async (hold) => {
        holdId = hold.id;
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect((await client.reservation(holdId)).status).toBe("released");
    expect((await account()).reserved).toBe(before.reserved);
  });

  it("commits through transient failures around the job", async () => {
    link.inject("unavailable", "drop");
    const outcome = await client.withReservation({ amount: 1, idempotencyKey: "wr-flaky" }, async () => {
      link.inject("lose-answer", "unavailable");
      return undefined;
    });
    expect(outcome.reservation).toMatchObject({ status: "committed", amount: 1 });
  });

  it("resumes after a crash with the same key: the same hold, never a second one", async () => {
    const key = "wr-crash";
    // A first run reserved and crashed before its job ended.
    const orphan = await client.reserve({ amount: 4 }, { idempotencyKey: key });
    const before = await account();

    let runs = 0;
    const outcome = await client.withReservation({ amount: 4, idempotencyKey: key }, async (hold) => {
      runs++;
      expect(hold.id).toBe(orphan.id);
      expect((await account()).reserved).toBe(before.reserved); // still one hold of 4
      return { actualAmount: 4 };
    });
    expect(outcome).toMatchObject({ resumed: true, reservation: { id: orphan.id, status: "committed" } });

    // Called once more (it crashed after the commit): nothing runs and nothing is held again.
    const after = await account();
    const replay = await client.withReservation({ amount: 4, idempotencyKey: key }, async () => {
      runs++;
      return undefined;
    });
    expect(replay).toMatchObject({ resumed: true, result: undefined, reservation: { id: orphan.id } });
    expect(runs).toBe(1);
    expect((await account()).reserved).toBe(after.reserved);
  });

  it("does not run the job when the hold does not fit, nor for a key whose hold was released", async () => {
    let ran = false;
    const job = async () => {
      ran = true;
      return undefined;
    };
    await expect(
      client.withReservation({ amount: 10_000, idempotencyKey: "wr-big" }, job),
    ).rejects.toBeInstanceOf(InsufficientBalanceError);
    const released = await client.reserve({ amount: 1 }, { idempotencyKey: "wr-released" });
    await client.release(released.id);
    await expect(
      client.withReservation({ amount: 1, idempotencyKey: "wr-released" }, job),
    ).rejects.toBeInstanceOf(ConflictError);
    expect(ran).toBe(false);
  });
});
