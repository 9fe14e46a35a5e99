import { randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { AwsV4Signer } from "aws4fetch";

/**
 * SigV4 for the local stack (`LOCAL_SIGV4=1`): requests must be signed for `execute-api` with a key pair the
 * stack makes up and prints, and are verified with the same signer the client uses (aws4fetch), so the
 * client's and the CLI's signing is tested end to end without AWS. Refusals are the 403 `{message}` bodies
 * API Gateway answers with its IAM authorizer.
 */

/**
 * The local stack's one principal when nothing else names the caller: unsigned requests (no LOCAL_SIGV4),
 * the status page's own reads, and the one key pair LOCAL_SIGV4=1 makes without `local.principals`. An
 * `access` rule that lists it lets the local stack's default caller in.
 */
export const LOCAL_PRINCIPAL = "arn:aws:iam::000000000000:user/local";

/** A local principal: a name for the banner and the ARN its requests carry (config `local.principals`). */
export interface LocalPrincipal {
  name: string;
  arn: string;
}

/** One key pair of the local stack and the principal its signed requests are said to come from. */
export interface LocalSigV4Keys extends LocalPrincipal {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
}

/** A fresh key pair for one run of the local stack, for `principal`; it opens nothing but that stack. */
export function localSigV4Keys(
  region = "us-east-1",
  principal: LocalPrincipal = { name: "local", arn: LOCAL_PRINCIPAL },
): LocalSigV4Keys {
  return {
    ...principal,
    accessKeyId: `AKIALOCAL${randomBytes(6).toString("hex").toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString("base64url"),
    region,
  };
}

/** One fresh key pair per principal (default: one, for LOCAL_PRINCIPAL), all in `region`. */
export function localSigV4KeyRing(
  principals: readonly LocalPrincipal[] | undefined,
  region = "us-east-1",
): LocalSigV4Keys[] {
  if (principals === undefined || principals.length === 0) return [localSigV4Keys(region)];
  return principals.map((principal) => localSigV4Keys(region, principal));
}

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/\s]+)\/(\d{8})\/([^/\s]+)\/([^/\s]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
/** How far a request's X-Amz-Date may be from the clock, as AWS allows. */
const MAX_SKEW_MS = 15 * 60 * 1000;

const MESSAGES = {
  missing: "Forbidden",
  unknownKey: "The security token included in the request is invalid.",
  mismatch:
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
} as const;

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(",") : value;
}

/** The key of `ring` the request says it is signed with (its Credential), if any. */
export function signingKeyOf(
  req: IncomingMessage,
  ring: readonly LocalSigV4Keys[],
): LocalSigV4Keys | undefined {
  const accessKeyId = AUTHORIZATION.exec(header(req, "authorization") ?? "")?.[1];
  return ring.find((keys) => keys.accessKeyId === accessKeyId);
}

/**
 * Why the request is refused (API Gateway's message), or undefined when its signature is valid: the key is
 * one of the stack's (`ring`), the scope is `<date>/<region>/execute-api`, the date is within 15 minutes, and recomputing
 * the signature over the method, path, query, signed headers and body gives the same one.
 */
export async function sigV4Refusal(
  req: IncomingMessage,
  body: string | undefined,
  ring: LocalSigV4Keys | readonly LocalSigV4Keys[],
  now = Date.now(),
): Promise<string | undefined> {
  const match = AUTHORIZATION.exec(header(req, "authorization") ?? "");
  const amzDate = header(req, "x-amz-date") ?? "";
  if (!match || !AMZ_DATE.test(amzDate)) return MESSAGES.missing;
  const [, accessKeyId, scopeDate, region, service, signedHeaders, signature] = match as unknown as string[];
  const keys = (Array.isArray(ring) ? ring : [ring]).find(
    (k: LocalSigV4Keys) => k.accessKeyId === accessKeyId,
  );
  if (keys === undefined) return MESSAGES.unknownKey;
  const signedAt = Date.parse(amzDate.replace(AMZ_DATE, "$1-$2-$3T$4:$5:$6Z"));
  if (Math.abs(now - signedAt) > MAX_SKEW_MS)
    return `Signature expired: ${amzDate} is now earlier or later than allowed.`;
  if (scopeDate !== amzDate.slice(0, 8) || region !== keys.region || service !== "execute-api") {
    return MESSAGES.mismatch;
  }
  const names = (signedHeaders as string).split(";");
  if (!names.includes("host")) return MESSAGES.mismatch;
  const headers = new Headers();
  for (const name of names) {
    const value = header(req, name);
    if (name !== "host" && value !== undefined) headers.set(name, value);
  }
  const sessionToken = header(req, "x-amz-security-token");
  const expected = new AwsV4Signer({
    method: req.method ?? "GET",
    url: `http://${header(req, "host") ?? "localhost"}${req.url ?? "/"}`,
    headers,
    body: body ?? "",
    accessKeyId: keys.accessKeyId,
    secretAccessKey: keys.secretAccessKey,
    ...(sessionToken ? { sessionToken } : {}),
    service: "execute-api",
    region: keys.region,
    datetime: amzDate,
    allHeaders: true,
  });
  if (expected.signedHeaders !== signedHeaders) return MESSAGES.mismatch;
  const computed = Buffer.from(await expected.signature(), "utf8");
  const given = Buffer.from(signature as string, "utf8");
  return computed.length === given.length && timingSafeEqual(computed, given) ? undefined : MESSAGES.mismatch;
}
