import { describe, expect, it } from "vitest";
import { type CheckInput, decideCheck } from "#core/check";
import type { BalanceView } from "#core/reservations";

function view(remaining: number | null, reserved = 0, floor = 0): BalanceView {
  return {
    remaining,
    reserved,
    available: remaining === null ? null : remaining - reserved - floor,
  };
}

function input(fields: Partial<CheckInput> & Pick<CheckInput, "required" | "view">): CheckInput {
  return { unit: "credits", whenUnknown: "deny", warningThreshold: 0, ...fields };
}

describe("decideCheck", () => {
  it.each([
    // required, remaining, reserved, floor → decision, allowed, remainingAfter, shortfall
    { required: 10, remaining: 100, reserved: 0, floor: 0, decision: "allow", after: 90, shortfall: 0 },
    { required: 100, remaining: 100, reserved: 0, floor: 0, decision: "allow", after: 0, shortfall: 0 },
    { required: 30, remaining: 100, reserved: 60, floor: 10, decision: "allow", after: 0, shortfall: 0 },
    { required: 31, remaining: 100, reserved: 60, floor: 10, decision: "deny", after: -1, shortfall: 1 },
    { required: 150, remaining: 100, reserved: 0, floor: 0, decision: "deny", after: -50, shortfall: 50 },
    { required: 5, remaining: 10, reserved: 20, floor: 0, decision: "deny", after: -15, shortfall: 15 },
    // Overdrawn (field case F15): the debt is inside the shortfall, even for the smallest job.
    {
      required: 1.5,
      remaining: -2.35,
      reserved: 0,
      floor: 0,
      decision: "deny",
      after: -3.85,
      shortfall: 3.85,
    },
    {
      required: 0.01,
      remaining: -2.35,
      reserved: 1,
      floor: 0,
      decision: "deny",
      after: -3.36,
      shortfall: 3.36,
    },
  ])("$required of $remaining (reserved $reserved, floor $floor) → $decision", (row) => {
    const verdict = decideCheck(
      input({ required: row.required, view: view(row.remaining, row.reserved, row.floor) }),
    );
    expect(verdict).toMatchObject({
      decision: row.decision,
      allowed: row.decision === "allow",
      required: row.required,
      remaining: row.remaining,
      reserved: row.reserved,
      remainingAfter: row.after,
      shortfall: row.shortfall,
    });
  });

  it("a denial when holds already exceed the balance says so, with figures that agree with the verdict", () => {
    // The newcomer trial: balance $8, $11 held, a $0.50 job. The reason used to say "the available $0.00".
    const verdict = decideCheck(input({ required: 0.5, unit: "usd", view: view(8, 11) }));
    expect(verdict).toMatchObject({ decision: "deny", available: -3, shortfall: 3.5 });
    expect(verdict.reason).toBe(
      "$0.50 cannot be held: holds, jobs not yet charged and the reserve floor already exceed the balance of $8.00 by $3.00 (short by $3.50).",
    );
  });

  it("an exact fit in decimals is a fit, not a float-drift denial", () => {
    const verdict = decideCheck(input({ required: 0.3, unit: "usd", view: view(0.1 + 0.2) }));
    expect(verdict).toMatchObject({ decision: "allow", remainingAfter: 0, shortfall: 0 });
  });

  it.each([
    ["deny", false],
    ["allow", true],
  ] as const)("an unknown balance with whenUnknown %s → unknown, allowed %s", (whenUnknown, allowed) => {
    const verdict = decideCheck(input({ required: 1, view: view(null), whenUnknown }));
    expect(verdict).toMatchObject({ decision: "unknown", allowed, available: null, shortfall: null });
    expect(verdict.reason).toContain(whenUnknown);
  });

  it("a stale balance (an unknown reason) is unknown even though a number is recorded", () => {
    const verdict = decideCheck(input({ required: 1, view: view(100), unknownReason: "too old" }));
    expect(verdict).toMatchObject({ decision: "unknown", allowed: false, remaining: 100 });
    expect(verdict.reason).toContain("too old");
  });

  it.each([
    { required: 55, remaining: 100, warns: true },
    { required: 50, remaining: 100, warns: false },
    { required: 100, remaining: 100, warns: true },
    { required: 10, remaining: 100, warns: false },
  ])("warns when what is left ($remaining − $required) is below the threshold 50: $warns", (row) => {
    const verdict = decideCheck(
      input({ required: row.required, unit: "usd", view: view(row.remaining), warningThreshold: 50 }),
    );
    expect(verdict.allowed).toBe(true);
    expect(verdict.warnings).toHaveLength(row.warns ? 1 : 0);
    if (row.warns) expect(verdict.warnings[0]).toContain("$50.00");
  });

  it("a denial carries no threshold warning: the job is not going ahead", () => {
    const verdict = decideCheck(input({ required: 120, view: view(100), warningThreshold: 50 }));
    expect(verdict).toMatchObject({ decision: "deny", warnings: [] });
  });
});
