import { describe, expect, it } from "vitest";
import { computeBalanceView } from "#core/reservations";
import type { OutputReport } from "#service/reservation-port";
import type { TaskResult } from "#service/task-callback-port";
import {
  recordPoll,
  reserveRequest,
  SETTLE_SECONDS,
  settle,
  storeOnDynamoDbLocal,
  T0,
} from "#test/support/store-fixtures";

/**
 * On DynamoDB Local: a hold of several outputs settled per output (ReservationStore.settleOutput), and the
 * task token / job outcome pair on the hold item (TaskCallbackStore).
 */
const local = storeOnDynamoDbLocal();
let accounts = 0;

async function heldOf(amount: number): Promise<{ accountId: string; id: string }> {
  const accountId = `outputs-${++accounts}`;
  await recordPoll(local.store, accountId, 100, T0);
  const made = await local.store.reserve(accountId, reserveRequest(accountId, amount, T0), {
    now: T0,
    reserveFloor: 0,
    settleSeconds: SETTLE_SECONDS,
  });
  if (made.kind !== "created") throw new Error(made.kind);
  return { accountId, id: made.view.id };
}

const success = (outputId: string, outputs: number, amount?: number): OutputReport => ({
  outputId,
  outputs,
  outcome: { outcome: "success", basis: "held-amount", ...(amount === undefined ? {} : { amount }) },
});
const failure = (outputId: string, outputs: number): OutputReport => ({
  outputId,
  outputs,
  outcome: { outcome: "fail", reason: "failed" },
});
const reservedOf = async (accountId: string) => (await local.store.getAccountState(accountId))?.reserved;

describe("settleOutput: each output once, the hold ends with the last", () => {
  it("a retried output (a crash before the delivery was recorded) replays; the other outcome for it is a conflict", async () => {
    const { accountId, id } = await heldOf(6);
    const first = await local.store.recordOutput(id, success("fr", 3), settle(T0));
    expect(first).toMatchObject({
      kind: "ok",
      replayed: false,
      complete: false,
      view: { committedAmount: 2 },
    });
    const again = await local.store.recordOutput(id, success("fr", 3), settle(T0));
    expect(again).toMatchObject({ kind: "ok", replayed: true, view: { committedAmount: 2, status: "held" } });
    expect((await local.store.recordOutput(id, failure("fr", 3), settle(T0))).kind).toBe("conflict");
    expect(await reservedOf(accountId)).toBe(6);

    expect(await local.store.recordOutput(id, failure("es", 3), settle(T0))).toMatchObject({
      complete: false,
      view: { status: "held", heldAmount: 4 },
    });
    const last = await local.store.recordOutput(id, success("de", 3, 2.5), settle(T0));
    expect(last).toMatchObject({
      kind: "ok",
      complete: true,
      view: { status: "committed", committedAmount: 4.5, heldAmount: 0 },
    });
    // The failed share is released at the end; the two committed parts count until settled by a snapshot.
    expect(await reservedOf(accountId)).toBe(4.5);
    expect((await local.store.recordOutput(id, success("it", 3), settle(T0))).kind).toBe("conflict");
  });

  it("all outputs failed: released, nothing counts", async () => {
    const { accountId, id } = await heldOf(4);
    await local.store.recordOutput(id, failure("a", 2), settle(T0));
    expect(await local.store.recordOutput(id, failure("b", 2), settle(T0))).toMatchObject({
      complete: true,
      view: { status: "released" },
    });
    expect(await reservedOf(accountId)).toBe(0);
  });

  it("outputs settled concurrently commit exactly their shares, and exactly one completes the hold", async () => {
    const { accountId, id } = await heldOf(10);
    const outputs = ["a", "b", "c", "d", "e"];
    const results = await Promise.all(
      [...outputs, ...outputs].map((o) => local.store.recordOutput(id, success(o, 5), settle(T0))),
    );
    const fresh = results.filter((r) => r.kind === "ok" && !r.replayed);
    expect(fresh).toHaveLength(5);
    expect(fresh.filter((r) => r.kind === "ok" && r.view.status === "committed")).toHaveLength(1);
    const view = await local.store.getReservation(id, T0);
    expect(view).toMatchObject({ status: "committed", committedAmount: 10 });
    const state = await local.store.getAccountState(accountId);
    expect(state && computeBalanceView(state, settle(T0)).reserved).toBe(10);
  });
});

describe("the task token and the job's outcome on the hold item", () => {
  const outcome = (n: number): TaskResult => ({
    status: "failure",
    error: "VideoFailed",
    cause: `outcome ${n}`,
  });

  it("the outcome is stored even when a task waits, never replaced, and answered to a token that waits later", async () => {
    const { id } = await heldOf(1);
    expect(await local.store.attachTaskToken(id, "T1")).toEqual({ kind: "attached" });
    expect(await local.store.recordTaskResult(id, outcome(1))).toEqual({
      kind: "recorded",
      waitingToken: "T1",
    });
    // Not marked sent (the send failed): HeyGen's retry is told to send the stored outcome, not its own.
    expect(await local.store.recordTaskResult(id, outcome(2))).toEqual({
      kind: "exists",
      result: outcome(1),
      unsentToken: "T1",
    });
    expect(await local.store.claimResultSend(id, "T1")).toBe(true);
    expect(await local.store.claimResultSend(id, "T1")).toBe(false);
    expect(await local.store.recordTaskResult(id, outcome(3))).toEqual({
      kind: "exists",
      result: outcome(1),
    });
    expect(await local.store.attachTaskToken(id, "T2")).toEqual({ kind: "result", result: outcome(1) });
  });

  it("a token and the outcome written at once: exactly one of the two writers sends", async () => {
    for (let round = 0; round < 10; round++) {
      const { id } = await heldOf(1);
      const [attached, recorded] = await Promise.all([
        local.store.attachTaskToken(id, "T"),
        local.store.recordTaskResult(id, outcome(round)),
      ]);
      const senders = [
        attached.kind === "result",
        recorded.kind === "recorded" && recorded.waitingToken === "T",
      ];
      expect(senders.filter(Boolean)).toHaveLength(1);
    }
  });
});
