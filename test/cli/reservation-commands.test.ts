import { QuotaGuardClient } from "@heygen-quota-guard/client";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { LocalStack } from "#local/stack";
import { cliAgainst } from "#test/support/cli";
import { startOneAccountStack } from "#test/support/e2e";

let stack: LocalStack;
beforeAll(async () => {
  let readCredits: (b: number) => Promise<void>;
  ({ stack, readCredits } = await startOneAccountStack("m"));
  await readCredits(100);
}, 60_000);
afterAll(() => stack?.stop());
const cli = cliAgainst(() => stack);

it("extend, partial commit, listing, from the client and the CLI", async () => {
  const client = new QuotaGuardClient({ url: stack.url });
  const hold = await client.reserve({ amount: 5 });
  expect((await client.extend(hold.id, { amount: 8 })).amount).toBe(8);
  expect(await client.commit(hold.id, { actualAmount: 2, final: false })).toMatchObject({
    status: "held",
    committedAmount: 2,
    heldAmount: 6,
  });
  const page = await client.reservations({ status: "held" });
  expect(page.reservations.map((r) => r.id)).toContain(hold.id);
  const ext = await cli("extend", hold.id, "--amount", "9", "--human");
  expect(ext.code).toBe(0);
  expect(ext.stdout).toMatch(/amount:\s+9 credits/);
  const list = await cli("reservations", "--status", "held", "--human");
  expect(list.stdout).toContain(hold.id);
  const json = await cli("reservations");
  expect(JSON.parse(json.stdout).reservations[0].id).toBe(hold.id);
  const big = await cli("extend", hold.id, "--amount", "1000");
  expect(big.code).toBe(1);
  // --human shows a partly committed hold's two amounts: committed so far and still held.
  const partial = await cli("commit", hold.id, "--actual", "3", "--partial", "--human");
  expect(partial.code).toBe(0);
  expect(partial.stdout).toMatch(/\nstatus:\s+held\n/);
  expect(partial.stdout).toMatch(/\ncommitted:\s+5 credits so far \(partial commits\)\nheld:\s+4 credits\n/);
  expect(await client.reservation(hold.id)).toMatchObject({ committedAmount: 5, heldAmount: 4 });
  const withWithRes = await client.withReservation({ amount: 1, idempotencyKey: "m-1" }, async () => ({
    actualAmount: 1,
  }));
  expect(withWithRes.reservation.status).toBe("committed");
}, 90_000); // seven CLI processes, each loading tsx: slow on a busy machine
