import { ArnFormat, type RemovalPolicy, SecretValue, Stack } from "aws-cdk-lib";
import { type ISecret, Secret } from "aws-cdk-lib/aws-secretsmanager";
import { Construct } from "constructs";
import { type AccountConfig, ConfigError } from "#config/config";
// Stored until the operator puts the real key; constant, so a redeploy never overwrites a key put since.
import { SECRET_PLACEHOLDER } from "#config/secrets";
import { acknowledge } from "./nag.ts";
import type { QuotaGuardFunction } from "./quota-guard-function.ts";

/**
 * Secrets one stack may create. CloudFormation takes at most 500 resources per stack and the rest of Quota
 * Guard needs about 75 (more with chat channels, subscribers and the example state machines); the accounts
 * beyond are imported (`importSecret: true`), their secrets created outside the stack (docs/deploy.md).
 */
export const MAX_CREATED_SECRETS = 400;

/**
 * Up to this many accounts each secret is granted by its own ARN. Beyond, the ARNs (~90 characters each)
 * would overflow IAM's policy size limits (10,240 characters of inline policy per role, 6,144 per managed
 * policy), so the grant names each secret-name folder once (`quota-guard/heygen/*`).
 */
export const MAX_EXACT_SECRET_GRANTS = 40;

export interface AccountSecret {
  readonly accountId: string;
  readonly secretName: string;
  readonly secret: ISecret;
  /** What an IAM statement must name to read the value (an imported secret's ARN ends in a random suffix). */
  readonly readableArn: string;
}

/** One Secrets Manager secret per HeyGen account: created with a placeholder, or imported by name. */
export class AccountSecrets extends Construct {
  readonly secrets: readonly AccountSecret[];

  constructor(
    scope: Construct,
    id: string,
    accounts: readonly AccountConfig[],
    removalPolicy: RemovalPolicy,
  ) {
    super(scope, id);
    const created = accounts.filter((a) => !a.importSecret).length;
    if (created > MAX_CREATED_SECRETS) {
      throw new ConfigError("CloudFormation limits", [
        {
          path: "accounts",
          message:
            `${created} accounts would each get a secret created by the stack, which holds at most ` +
            `${MAX_CREATED_SECRETS} (500 resources per stack): set "importSecret": true on the others and ` +
            "create their secrets outside the stack (docs/deploy.md, Many accounts)",
        },
      ]);
    }
    this.secrets = accounts.map((account) =>
      account.importSecret ? this.importSecret(account) : this.createSecret(account, removalPolicy),
    );
  }

  /** What a reader of every account's key must be granted: each secret's ARN, or each name folder's. */
  get readableArns(): string[] {
    if (this.secrets.length <= MAX_EXACT_SECRET_GRANTS) return this.secrets.map((s) => s.readableArn);
    const patterns = [...new Set(this.secrets.map((s) => folderPattern(s.secretName)))];
    if (patterns.length > MAX_EXACT_SECRET_GRANTS) {
      throw new ConfigError("IAM limits", [
        {
          path: "accounts",
          message:
            `the secret names spread over ${patterns.length} folders; with more than ` +
            `${MAX_EXACT_SECRET_GRANTS} accounts, keep them in at most ${MAX_EXACT_SECRET_GRANTS} ` +
            "(the default quota-guard/heygen/<id> is one)",
        },
      ]);
    }
    const stack = Stack.of(this);
    return patterns.map((resourceName) =>
      stack.formatArn({
        service: "secretsmanager",
        resource: "secret",
        resourceName,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
    );
  }

  /**
   * Throws ConfigError when a folder grant (more than MAX_EXACT_SECRET_GRANTS accounts) would also cover
   * `secretName`, a secret that is no account's key (HeyGen's webhook secret): no role may read it by accident.
   */
  assertNotGranting(secretName: string, what: string): void {
    if (this.secrets.length <= MAX_EXACT_SECRET_GRANTS) return;
    const covering = this.secrets
      .map((s) => folderPattern(s.secretName))
      .find((pattern) => pattern.endsWith("/*") && secretName.startsWith(pattern.slice(0, -1)));
    if (covering) {
      throw new ConfigError("IAM limits", [
        {
          path: "accounts",
          message:
            `with more than ${MAX_EXACT_SECRET_GRANTS} accounts every function may read ${covering}, which ` +
            `would include ${what} (${secretName}): keep the account secrets in a folder of their own ` +
            "(the default quota-guard/heygen/<id>)",
        },
      ]);
    }
  }

  /** Lets `fn` read every account's key (GetSecretValue on `readableArns`, nothing else). */
  grantRead(fn: QuotaGuardFunction): void {
    const resources = this.readableArns;
    fn.allow(["secretsmanager:GetSecretValue"], resources);
    for (const resource of resources.filter((arn) => arn.endsWith("*"))) {
      const folder = resource.slice(resource.lastIndexOf(":") + 1);
      acknowledge(
        fn.role ?? fn,
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:${folder}]`,
        `Every secret in ${folder.slice(0, -1)} holds a Quota Guard account's HeyGen key; one ARN per account ` +
          `(${this.secrets.length} accounts) would not fit IAM's policy size limit.`,
      );
    }
  }

  private createSecret(account: AccountConfig, removalPolicy: RemovalPolicy): AccountSecret {
    const secret = new Secret(this, `Secret-${account.id}`, {
      secretName: account.secretName,
      description: `HeyGen API key of Quota Guard account "${account.id}"`,
      secretStringValue: SecretValue.unsafePlainText(SECRET_PLACEHOLDER),
      removalPolicy,
    });
    acknowledge(
      secret,
      "AwsSolutions-SMG4",
      "HeyGen API keys are issued in HeyGen's web app, which offers no API to create one, so no rotation " +
        "Lambda can rotate them; operators rotate by putting the new key (docs/deploy.md).",
    );
    return { accountId: account.id, secretName: account.secretName, secret, readableArn: secret.secretArn };
  }

  private importSecret(account: AccountConfig): AccountSecret {
    const secret = Secret.fromSecretNameV2(this, `Secret-${account.id}`, account.secretName);
    return {
      accountId: account.id,
      secretName: account.secretName,
      secret,
      readableArn: `${secret.secretArn}-??????`,
    };
  }
}

/** `a/b/c` -> `a/b/*` (every secret in that folder); a name without a folder -> itself plus the ARN suffix. */
function folderPattern(secretName: string): string {
  const slash = secretName.lastIndexOf("/");
  return slash < 0 ? `${secretName}-??????` : `${secretName.slice(0, slash + 1)}*`;
}
