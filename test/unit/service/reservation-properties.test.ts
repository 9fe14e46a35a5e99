import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { computeBalanceView } from "#core/reservations";
import { commitHold, extendHold, releaseHold, reserveHold } from "#service/reservation-operations";
import { NOW } from "./fakes.ts";
import { ACCOUNT, contextAt, reserveOf, rulesAt, storeWithBalance } from "./reservation-fixtures.ts";

/**
 * Random sequences of reserve, commit, release, extend and time passing, run through the reservation
 * operations on the in-memory store and on an independent model: a Map of holds and the remaining balance, in
 * whole tenths of a credit so that the model's sums are exact. After every step the counter is at least the
 * model's, equal to it after a correction, and available never goes below 0. Reserves and releases may lose
 * their answer (the SDK retries the applied transaction): still one hold, one release.
 */

const REMAINING = 1000; // tenths: 100 credits

interface ModelHold {
  amount: number;
  committed: number;
  expiresAtMs: number;
  status: "held" | "committed" | "released";
}

type Step =
  | { op: "reserve"; amount: number; ttl: number; lost: boolean }
  | { op: "commit"; pick: number; part: number | undefined; final: boolean }
  | { op: "release"; pick: number; lost: boolean }
  | { op: "extend"; pick: number; raise: number; ttl: number | undefined }
  | { op: "wait"; seconds: number };

const tenths = (max: number) => fc.integer({ min: 0, max });
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    op: fc.constant("reserve" as const),
    amount: tenths(600),
    ttl: fc.integer({ min: 1, max: 300 }),
    lost: fc.boolean(),
  }),
  fc.record({
    op: fc.constant("commit" as const),
    pick: fc.nat(),
    part: fc.option(fc.oneof(tenths(400), tenths(1200)), { nil: undefined }),
    final: fc.boolean(),
  }),
  fc.record({ op: fc.constant("release" as const), pick: fc.nat(), lost: fc.boolean() }),
  fc.record({
    op: fc.constant("extend" as const),
    pick: fc.nat(),
    raise: tenths(300),
    ttl: fc.option(fc.integer({ min: 1, max: 300 }), { nil: undefined }),
  }),
  fc.record({ op: fc.constant("wait" as const), seconds: fc.integer({ min: 1, max: 200 }) }),
);

const isHeld = (hold: ModelHold, nowMs: number) => hold.status === "held" && hold.expiresAtMs > nowMs;
const heldPart = (hold: ModelHold) =>
  hold.status === "held" ? Math.max(0, hold.amount - hold.committed) : 0;

/** What counts, by the model: held parts of held unexpired holds, and every committed part (none settles). */
function modelReserved(holds: Map<string, ModelHold>, nowMs: number): number {
  let sum = 0;
  for (const hold of holds.values()) sum += hold.committed + (isHeld(hold, nowMs) ? heldPart(hold) : 0);
  return sum;
}

describe("reservation operations against a model", () => {
  it("keep reserved and available as the model says, and available never below 0", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 40 }), async (steps) => {
        const store = await storeWithBalance(REMAINING / 10);
        const holds = new Map<string, ModelHold>();
        let now = NOW;
        for (const s of steps) {
          const nowMs = now.getTime();
          const available = REMAINING - modelReserved(holds, nowMs);
          const ids = [...holds.keys()];
          const id = ids.length > 0 && "pick" in s ? ids[s.pick % ids.length] : undefined;
          const hold = id === undefined ? undefined : holds.get(id);
          if (s.op === "wait") {
            now = new Date(nowMs + s.seconds * 1000);
          } else if (s.op === "reserve") {
            const request = reserveOf(s.amount / 10, { ttlSeconds: s.ttl }, now);
            if (s.lost) store.loseNextAnswer("retried");
            const result = await reserveHold(store, ACCOUNT, request, rulesAt(now));
            expect(result.kind).toBe(s.amount <= available ? "created" : "insufficient");
            if (result.kind === "created")
              holds.set(request.id, {
                amount: s.amount,
                committed: 0,
                expiresAtMs: nowMs + s.ttl * 1000,
                status: "held",
              });
          } else if (id !== undefined && hold !== undefined) {
            await changeStep(s, id, hold, now, available);
          }
          expect(store.pendingFaults).toBe(0);
          // Never below the truth before a correction (expired holds may still be counted), exact after it.
          const uncorrected = store.counters(ACCOUNT)?.reserved ?? 0;
          expect(uncorrected * 10).toBeGreaterThanOrEqual(modelReserved(holds, now.getTime()) - 1e-6);
          await store.correctCounters(ACCOUNT, now);
          const counters = store.counters(ACCOUNT);
          const reserved = modelReserved(holds, now.getTime());
          expect(counters?.reserved).toBe(reserved / 10);
          expect(counters?.openHolds).toBe(
            [...holds.values()].filter((h) => h.status === "held" && h.expiresAtMs > now.getTime()).length,
          );
          const view = computeBalanceView(await store.getAccountState(ACCOUNT), rulesAt(now));
          expect(view.available).toBe((REMAINING - reserved) / 10);
          expect(view.available ?? -1).toBeGreaterThanOrEqual(0);
          expect(counters?.headroom).toBe(view.available);
        }

        async function changeStep(
          s: Exclude<Step, { op: "reserve" | "wait" }>,
          id: string,
          hold: ModelHold,
          at: Date,
          available: number,
        ) {
          const held = isHeld(hold, at.getTime());
          if (s.op === "release") {
            // Only a release that writes can lose its answer (a replay or conflict applies nothing).
            if (s.lost && held) store.loseNextAnswer("retried");
            const result = await releaseHold(store, id, contextAt(at));
            if (held) {
              // A lost answer's retry finds the hold released: the loop answers it as a replay.
              expect(result).toMatchObject({ kind: "ok", replayed: s.lost });
              expect(store.pendingFaults).toBe(0);
              hold.status = "released";
            } else
              expect(result).toMatchObject(
                hold.status === "released" ? { kind: "ok", replayed: true } : { kind: "conflict" },
              );
          } else if (s.op === "commit") {
            const part = s.part ?? (s.final ? undefined : 0);
            const result = await commitHold(
              store,
              id,
              { final: s.final, ...(part !== undefined ? { part: part / 10 } : {}) },
              contextAt(at),
            );
            if (!held) {
              expect(["conflict", "ok"]).toContain(result.kind);
              if (result.kind === "ok") expect(result.replayed).toBe(true);
              return;
            }
            const asked = part ?? heldPart(hold);
            const stillHeld = s.final ? 0 : Math.max(0, heldPart(hold) - asked);
            const delta = asked + stillHeld - heldPart(hold);
            if (delta > 0 && delta > available) {
              expect(result.kind).toBe("exceeds-available");
              return;
            }
            expect(result).toMatchObject({ kind: "ok", replayed: false });
            hold.committed += asked;
            if (s.final) hold.status = "committed";
          } else {
            const result = await extendHold(
              store,
              id,
              { amount: (hold.amount + s.raise) / 10, ...(s.ttl ? { ttlSeconds: s.ttl } : {}) },
              contextAt(at),
            );
            if (!held) return void expect(result.kind).toBe("conflict");
            const after = { ...hold, amount: hold.amount + s.raise };
            const increase = heldPart(after) - heldPart(hold);
            if (increase > 0 && increase > available) return void expect(result.kind).toBe("insufficient");
            expect(result).toMatchObject({ kind: "ok" });
            hold.amount = after.amount;
            if (s.ttl) hold.expiresAtMs = at.getTime() + s.ttl * 1000;
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});
