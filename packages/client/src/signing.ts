import { AwsClient } from "aws4fetch";

/** AWS credentials, as the SDK's credential providers return them. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface SigningOptions {
  /**
   * `"auto"` (default): sign only when the URL is an API Gateway endpoint (`*.execute-api.<region>.amazonaws.com`);
   * `true`: always (a custom domain, or the local stack with `LOCAL_SIGV4=1`); `false`: never.
   */
  sign?: boolean | "auto";
  /** Region of the API; default: the one in the endpoint's host name, else `AWS_REGION`, else us-east-1. */
  region?: string;
  /** A profile of `~/.aws/config` for the default credential chain. */
  profile?: string;
  /** Fixed credentials, or a provider; default: the AWS SDK's default credential chain. */
  credentials?: AwsCredentials | (() => Promise<AwsCredentials>);
}

const EXECUTE_API_HOST = /^[a-z0-9]+\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/;

/** The region of an API Gateway endpoint URL, or undefined when the URL is not one (a local stack). */
export function executeApiRegion(url: string): string | undefined {
  return EXECUTE_API_HOST.exec(new URL(url).hostname)?.[1];
}

/**
 * The default credential chain of the AWS SDK (environment, SSO, profiles, web identity as GitHub's OIDC
 * gives it, container and instance roles). Loaded on first use, so unsigned callers never pay for it.
 */
async function defaultCredentials(profile: string | undefined): Promise<() => Promise<AwsCredentials>> {
  const { defaultProvider } = await import("@aws-sdk/credential-provider-node");
  return defaultProvider(profile ? { profile } : {});
}

/**
 * A `fetch` that signs every request with SigV4 for `execute-api` (by aws4fetch, a maintained WebCrypto
 * signer), or plain `fetch` when the URL needs no signature. Credentials are resolved per request from a
 * memoizing provider, so expiring role credentials are refreshed.
 */
export function signingFetch(
  baseUrl: string,
  options: SigningOptions,
  base: (request: Request) => Promise<Response> = (request) => fetch(request),
): (request: Request) => Promise<Response> {
  const endpointRegion = executeApiRegion(baseUrl);
  const sign =
    options.sign === undefined || options.sign === "auto" ? endpointRegion !== undefined : options.sign;
  if (!sign) return base;
  const region = options.region ?? endpointRegion ?? process.env.AWS_REGION ?? "us-east-1";
  const fixed = options.credentials;
  let provider: Promise<() => Promise<AwsCredentials>> | undefined;
  const credentials = async (): Promise<AwsCredentials> => {
    if (typeof fixed === "object") return fixed;
    provider ??= fixed ? Promise.resolve(fixed) : defaultCredentials(options.profile);
    return (await provider)();
  };
  return async (request) => {
    const { accessKeyId, secretAccessKey, sessionToken } = await credentials();
    const signer = new AwsClient({
      accessKeyId,
      secretAccessKey,
      ...(sessionToken ? { sessionToken } : {}),
      service: "execute-api",
      region,
    });
    return base(await signer.sign(request));
  };
}
