import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { AuthorizationError, QuotaGuardClient } from "@heygen-quota-guard/client";
import { AwsClient } from "aws4fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signHeyGenEvent } from "#core/webhook-signature";
import { type LocalSigV4Keys, localSigV4Keys } from "#local/sigv4";
import type { LocalStack } from "#local/stack";
import { startOneAccountStack } from "#test/support/e2e";

/**
 * LOCAL_SIGV4: the local stack requires SigV4 as API Gateway's IAM auth does, so the client's and the CLI's
 * signing is tested end to end. The key pair is made up for this run; no output of this file shows it.
 */

const BIN = fileURLToPath(new URL("../../packages/cli/bin/quota-guard.js", import.meta.url));
let stack: LocalStack;
let keys: LocalSigV4Keys;
const credentials = () => ({ accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey });
const signer = () =>
  new AwsClient({ ...credentials(), service: "execute-api", region: keys.region, retries: 0 });

beforeAll(async () => {
  keys = localSigV4Keys();
  ({ stack } = await startOneAccountStack("signed", { sigv4: keys }));
  await stack.pollNow();
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

const reserved = async () =>
  (
    await new QuotaGuardClient({
      url: stack.url,
      sign: true,
      region: keys.region,
      credentials: credentials(),
    }).balance()
  ).reserved;

describe("signed requests", () => {
  it("HeyGen's webhook needs no SigV4, as in AWS: its own HMAC decides (401 forged, 200 signed)", async () => {
    const body = JSON.stringify({
      event_type: "avatar_video.success",
      event_data: { video_id: "vid_sigv4" },
    });
    const send = (headers: Record<string, string>) =>
      fetch(`${stack.url}/v1/webhooks/heygen`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body,
      });
    expect((await send({ signature: "0".repeat(64) })).status).toBe(401);
    const signed = await send(signHeyGenEvent(body, stack.webhookSecret, Date.now() / 1000));
    expect(signed.status).toBe(200);
  });

  it("the client signs when told to, and the stack accepts it: reads and a reserve with a body", async () => {
    const client = new QuotaGuardClient({
      url: stack.url,
      sign: true,
      region: keys.region,
      credentials: credentials(),
    });
    expect((await client.balance()).accountId).toBe("signed");
    const hold = await client.reserve({ amount: 2 }, { idempotencyKey: "signed-1" });
    expect((await client.release(hold.id)).status).toBe("released");
    expect((await client.history(undefined, { limit: 1 })).length).toBe(1); // a signed query string
  });

  it("unsigned, unknown key, wrong secret, other region: 403 AuthorizationError", async () => {
    const cases = [
      new QuotaGuardClient({ url: stack.url }),
      new QuotaGuardClient({
        url: stack.url,
        sign: true,
        region: keys.region,
        credentials: { ...credentials(), accessKeyId: "AKIAOTHER" },
      }),
      new QuotaGuardClient({
        url: stack.url,
        sign: true,
        region: keys.region,
        credentials: { ...credentials(), secretAccessKey: "wrong" },
      }),
      new QuotaGuardClient({ url: stack.url, sign: true, region: "eu-west-1", credentials: credentials() }),
    ];
    for (const client of cases) {
      const error = await client.accounts().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AuthorizationError);
      expect((error as AuthorizationError).status).toBe(403);
    }
  });

  it("a signed request tampered with on the way (body, path, query, a signed header) is refused and changes nothing", async () => {
    const before = await reserved();
    const body = JSON.stringify({ amount: 1 });
    const signed = await signer().sign(`${stack.url}/v1/reservations`, {
      method: "POST",
      headers: { "content-type": "application/json", "idempotency-key": "tamper-1" },
      body,
    });
    const headers = Object.fromEntries(signed.headers);
    const attempts: [string, RequestInit][] = [
      [`${stack.url}/v1/reservations`, { method: "POST", headers, body: JSON.stringify({ amount: 50 }) }],
      [`${stack.url}/v1/reservations?x=1`, { method: "POST", headers, body }],
      [`${stack.url}/v1/estimates`, { method: "POST", headers, body }],
      [
        `${stack.url}/v1/reservations`,
        { method: "POST", headers: { ...headers, "idempotency-key": "tamper-2" }, body },
      ],
    ];
    for (const [url, init] of attempts) {
      const response = await fetch(url, init);
      expect(response.status).toBe(403);
      expect(await response.json()).toEqual({ message: expect.stringContaining("signature") });
    }
    expect(await reserved()).toBe(before);

    // The untouched request goes through.
    expect((await fetch(`${stack.url}/v1/reservations`, { method: "POST", headers, body })).status).toBe(201);
  });

  it("a signature older than 15 minutes is refused", async () => {
    const old = new Date(Date.now() - 20 * 60_000).toISOString().replace(/[:-]|\.\d{3}/g, "");
    const signed = await signer().sign(`${stack.url}/v1/accounts`, { aws: { datetime: old } });
    const response = await fetch(signed);
    expect(response.status).toBe(403);
    expect(((await response.json()) as { message: string }).message).toMatch(/^Signature expired/);
  });
});

describe("the CLI", () => {
  const cli = (args: string[], env: Record<string, string>) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [BIN, ...args],
        { env: { ...process.env, QUOTA_GUARD_URL: stack.url, ...env } },
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });

  it("signs with --sign and the default credential chain (env); unsigned or wrong keys exit 3", async () => {
    const env = {
      AWS_ACCESS_KEY_ID: keys.accessKeyId,
      AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
      AWS_REGION: keys.region,
    };
    const signed = await cli(["--sign", "balance"], env);
    expect(signed.code).toBe(0);
    expect(JSON.parse(signed.stdout)).toMatchObject({ accountId: "signed" });

    const unsigned = await cli(["balance"], env);
    expect(unsigned.code).toBe(3);
    expect(JSON.parse(unsigned.stderr)).toMatchObject({ status: 403, title: "Forbidden" });

    const unsignedHuman = await cli(["balance", "--human"], env);
    expect(unsignedHuman.code).toBe(3);
    expect(unsignedHuman.stderr).toMatch(/^quota-guard: Forbidden\n {2}.*SigV4.*--sign/);

    const wrong = await cli(["--sign", "balance"], { ...env, AWS_SECRET_ACCESS_KEY: "wrong" });
    expect(wrong.code).toBe(3);
    expect(wrong.stderr).not.toContain(keys.secretAccessKey);
  });
});
