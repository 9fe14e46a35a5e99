import { describe, expect, it } from "vitest";
import { executeApiRegion, signingFetch } from "../../../packages/client/src/signing.ts";

/** When the client signs, and for what: execute-api endpoints by themselves, anything else only when told. */

const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "not-a-real-secret" };

async function sent(url: string, options: Parameters<typeof signingFetch>[1]): Promise<Request> {
  let seen: Request | undefined;
  const fetch = signingFetch(url, options, async (request) => {
    seen = request;
    return new Response("{}");
  });
  await fetch(
    new Request(`${url}v1/checks`, {
      method: "POST",
      body: "{}",
      headers: { "content-type": "application/json" },
    }),
  );
  if (!seen) throw new Error("nothing was sent");
  return seen;
}

describe("signingFetch", () => {
  it("signs for execute-api in the endpoint's region, without being told", async () => {
    const request = await sent("https://a1b2c3d4e5.execute-api.eu-west-2.amazonaws.com/", { credentials });
    expect(request.headers.get("authorization")).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-2\/execute-api\/aws4_request, SignedHeaders=host;x-amz-date, Signature=[0-9a-f]{64}$/,
    );
    expect(request.headers.get("x-amz-date")).toMatch(/^\d{8}T\d{6}Z$/);
  });

  it("sends the local stack's requests as they are, and signs any URL when told to", async () => {
    const local = await sent("http://127.0.0.1:3000/", { credentials });
    expect([...local.headers.keys()]).toEqual(["content-type"]);

    const custom = await sent("https://quota.example.com/", { credentials, sign: true, region: "us-west-2" });
    expect(custom.headers.get("authorization")).toContain("/us-west-2/execute-api/aws4_request");

    const never = await sent("https://a1b2c3d4e5.execute-api.eu-west-2.amazonaws.com/", {
      credentials,
      sign: false,
    });
    expect(never.headers.get("authorization")).toBeNull();
  });

  it("adds the session token of temporary credentials (roles, OIDC)", async () => {
    const request = await sent("https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/", {
      credentials: async () => ({ ...credentials, sessionToken: "token-123" }),
    });
    expect(request.headers.get("x-amz-security-token")).toBe("token-123");
    expect(request.headers.get("authorization")).toContain("x-amz-security-token");
  });
});

describe("executeApiRegion", () => {
  it("reads the region of API Gateway hosts only", () => {
    expect(executeApiRegion("https://abc123.execute-api.ap-southeast-2.amazonaws.com/prod/")).toBe(
      "ap-southeast-2",
    );
    expect(executeApiRegion("https://abc123.execute-api.cn-north-1.amazonaws.com.cn/")).toBe("cn-north-1");
    expect(executeApiRegion("http://127.0.0.1:3000")).toBeUndefined();
    expect(executeApiRegion("https://execute-api.us-east-1.amazonaws.com.evil.example/")).toBeUndefined();
  });
});
