import { type RemovalPolicy, SecretValue } from "aws-cdk-lib";
import { type ISecret, Secret } from "aws-cdk-lib/aws-secretsmanager";
import { Construct } from "constructs";
import type { AccountConfig } from "#config/config";
// Stored until the operator puts the real key; constant, so a redeploy never overwrites a key put since.
import { SECRET_PLACEHOLDER } from "#config/secrets";
import { acknowledge } from "./nag.ts";

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
    this.secrets = accounts.map((account) =>
      account.importSecret ? this.importSecret(account) : this.createSecret(account, removalPolicy),
    );
  }

  get readableArns(): string[] {
    return this.secrets.map((s) => s.readableArn);
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
