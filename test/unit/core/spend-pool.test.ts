import { describe, expect, it } from "vitest";
import { EstimateRequest } from "#core/job-spec";
import { accountPool, balancePool, jobPool, poolMismatch } from "#core/spend-pool";

describe("spend pools (field case G8)", () => {
  const mixed = {
    spendPool: "plan_credit" as const,
    spendPoolByJobType: { avatar_video: "api_wallet" as const },
  };

  it("the API wallet unless the account says otherwise, per job type when it says so", () => {
    expect(accountPool({})).toBe("api_wallet");
    expect(jobPool({}, "video_agent")).toBe("api_wallet");
    expect(jobPool(mixed, "video_agent")).toBe("plan_credit");
    expect(jobPool(mixed, "avatar_video")).toBe("api_wallet");
  });

  it("a recorded snapshot's pool (absent: the wallet), else the configured one", () => {
    expect(balancePool({}, mixed)).toBe("api_wallet");
    expect(balancePool({ spendPool: "plan_credit" }, {})).toBe("plan_credit");
    expect(balancePool(undefined, mixed)).toBe("plan_credit");
  });

  it("names the first job of another pool by the pointer to its type", () => {
    const single = EstimateRequest.parse({ type: "video_agent", durationSeconds: 38 });
    expect(poolMismatch(single, mixed, "plan_credit")).toBeUndefined();
    const list = EstimateRequest.parse({
      jobs: [
        { type: "video_agent", durationSeconds: 38 },
        { type: "avatar_video", durationSeconds: 30 },
      ],
    });
    expect(poolMismatch(list, mixed, "plan_credit")).toEqual({
      pointer: "/jobs/1/type",
      type: "avatar_video",
      jobPool: "api_wallet",
      balancePool: "plan_credit",
    });
    const avatar = EstimateRequest.parse({ durationSeconds: 30 });
    expect(poolMismatch(avatar, mixed, "plan_credit")?.pointer).toBe("/type");
  });
});
