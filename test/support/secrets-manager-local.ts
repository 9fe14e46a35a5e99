import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * Secrets Manager's GetSecretValue on loopback, speaking its wire protocol (AWS JSON 1.1, `X-Amz-Target:
 * secretsmanager.GetSecretValue`), for the Lambda entry-point tests. fauxqs serves SNS and SQS only, and no
 * other local AWS part here serves Secrets Manager; this is the least fake that keeps the real SDK client and
 * the runtime's SecretCache (lambdas/runtime/secret-cache.ts) in the path: only the service's answer is made up, from
 * `secrets`. It counts reads, so a test can see the cache at work.
 */
export interface SecretsManagerLocal {
  endpoint: string;
  /** GetSecretValue calls per secret name. */
  reads: Map<string, number>;
  stop(): Promise<void>;
}

export async function startSecretsManagerLocal(
  secrets: Record<string, string>,
): Promise<SecretsManagerLocal> {
  const reads = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      const reply = (status: number, payload: unknown) => {
        res.writeHead(status, { "content-type": "application/x-amz-json-1.1" });
        res.end(JSON.stringify(payload));
      };
      if (req.headers["x-amz-target"] !== "secretsmanager.GetSecretValue") {
        return reply(400, { __type: "InvalidRequestException", message: "only GetSecretValue is served" });
      }
      const { SecretId: name } = JSON.parse(body) as { SecretId: string };
      reads.set(name, (reads.get(name) ?? 0) + 1);
      const value = secrets[name];
      if (value === undefined) {
        return reply(400, { __type: "ResourceNotFoundException", message: "Secrets Manager can't find it" });
      }
      reply(200, {
        ARN: `arn:aws:secretsmanager:us-east-1:000000000000:secret:${name}`,
        Name: name,
        SecretString: value,
        VersionId: "local-1",
        VersionStages: ["AWSCURRENT"],
        CreatedDate: 1_700_000_000,
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    reads,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
