import type { IKey } from "aws-cdk-lib/aws-kms";
import { Topic } from "aws-cdk-lib/aws-sns";
import type { Construct } from "constructs";

/** An SNS topic encrypted with the stack's key whose policy refuses any request not made over TLS. */
export function createEncryptedTopic(scope: Construct, id: string, key: IKey, displayName: string): Topic {
  return new Topic(scope, id, { masterKey: key, enforceSSL: true, displayName });
}
