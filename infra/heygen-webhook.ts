import { Duration, type RemovalPolicy, SecretValue } from "aws-cdk-lib";
import { type CfnRoute, type CfnStage, HttpMethod, HttpNoneAuthorizer } from "aws-cdk-lib/aws-apigatewayv2";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import { type ISecret, Secret } from "aws-cdk-lib/aws-secretsmanager";
import type { IStateMachine } from "aws-cdk-lib/aws-stepfunctions";
import { Construct } from "constructs";
import { WEBHOOK_FUNCTION_ROUTES } from "#api/route-list";
import { ENV } from "#runtime/environment";
import type { LogSettings } from "./log-settings.ts";
import { acknowledge } from "./nag.ts";
import type { ApiThrottle, QuotaGuardApi } from "./quota-guard-api.ts";
import { QuotaGuardFunction } from "./quota-guard-function.ts";

/** Stored until the operator puts HeyGen's `whsec_…`; every delivery answers 401 until then. */
export const WEBHOOK_SECRET_PLACEHOLDER =
  "NOT_SET: put the HeyGen webhook secret with aws secretsmanager put-secret-value";

export const DEFAULT_WEBHOOK_SECRET_NAME = "quota-guard/heygen-webhook";

export interface HeyGenWebhookProps {
  readonly api: QuotaGuardApi;
  readonly entry: string;
  readonly environment: Record<string, string>;
  readonly logs: LogSettings;
  readonly removalPolicy: RemovalPolicy;
  /** Import this existing secret by name instead of creating a placeholder one. */
  readonly importSecretName?: string;
  /** Its own limit, so a flood of deliveries (HeyGen's retries, or forgeries) cannot starve the API. */
  readonly throttle: ApiThrottle;
}

/**
 * `POST /v1/webhooks/heygen`: the route without IAM (HeyGen cannot sign SigV4), authenticated by HeyGen's
 * webhook signature in the function, served by its own function and role and throttled per route; with it
 * `OPTIONS /v1/webhooks/heygen`, HeyGen's validation probe, also without IAM, and `POST /v1/reservations/{id}/wait`.
 */
export class HeyGenWebhook extends Construct {
  readonly handler: QuotaGuardFunction;
  readonly secret: ISecret;
  /** What an IAM statement must name to read the secret (an imported secret's ARN ends in a suffix). */
  readonly secretReadableArn: string;

  constructor(scope: Construct, id: string, props: HeyGenWebhookProps) {
    super(scope, id);
    if (props.importSecretName) {
      this.secret = Secret.fromSecretNameV2(this, "Secret", props.importSecretName);
      this.secretReadableArn = `${this.secret.secretArn}-??????`;
    } else {
      const secret = new Secret(this, "Secret", {
        secretName: DEFAULT_WEBHOOK_SECRET_NAME,
        description: "HeyGen webhook endpoint secret (whsec_...) of Quota Guard's POST /v1/webhooks/heygen",
        secretStringValue: SecretValue.unsafePlainText(WEBHOOK_SECRET_PLACEHOLDER),
        removalPolicy: props.removalPolicy,
      });
      acknowledge(
        secret,
        "AwsSolutions-SMG4",
        "HeyGen issues the webhook secret when the endpoint is registered (POST /v3/webhooks/endpoints); no " +
          "rotation Lambda can make HeyGen change it, so operators rotate it as docs/deploy.md says.",
      );
      this.secret = secret;
      this.secretReadableArn = secret.secretArn;
    }

    this.handler = new QuotaGuardFunction(this, "Handler", {
      entry: props.entry,
      description: "HeyGen Quota Guard webhook receiver",
      timeout: Duration.seconds(10),
      memorySize: 512,
      logs: props.logs,
      // A name the function looks up (the created secret's `secretName` is a token that parses its ARN).
      environment: {
        ...props.environment,
        [ENV.webhookSecretName]: props.importSecretName ?? DEFAULT_WEBHOOK_SECRET_NAME,
      },
    });
    this.handler.allow(["secretsmanager:GetSecretValue"], [this.secretReadableArn]);

    const integration = new HttpLambdaIntegration("Webhook", this.handler);
    // The webhook and HeyGen's OPTIONS probe of it without IAM (HeyGen cannot sign SigV4); /wait with IAM like
    // every other route, here because registering a token may send a result at once.
    const stage = props.api.stage.node.defaultChild as CfnStage;
    for (const served of WEBHOOK_FUNCTION_ROUTES) {
      const [added] = props.api.httpApi.addRoutes({
        path: served.path,
        methods: [HttpMethod[served.method]],
        integration,
        ...(served.auth === "iam" ? {} : { authorizer: new HttpNoneAuthorizer() }),
      });
      if (served.auth === "iam" || !added) continue;
      acknowledge(
        added.node.defaultChild as CfnRoute,
        "AwsSolutions-APIG4",
        served.auth === "heygen-signature"
          ? "HeyGen cannot sign SigV4: this route is authenticated by HeyGen's webhook signature (HMAC-SHA256 " +
              "with the endpoint secret), checked before anything is read or written."
          : "HeyGen's OPTIONS validation probe of the webhook URL (field case G5) carries no credentials: the " +
              "route answers 204 with Allow from the route table, reading no store, secret or HeyGen.",
      );
      // The routes whose callers are not ours: their own limit, so a flood cannot starve the API.
      stage.addPropertyOverride(`RouteSettings.${served.method} ${served.path}`, {
        ThrottlingRateLimit: props.throttle.rateLimit,
        ThrottlingBurstLimit: props.throttle.burstLimit,
      });
    }
  }

  /** Lets the function send task results (SendTaskSuccess / SendTaskFailure) to this state machine only. */
  allowTaskResults(stateMachine: IStateMachine): void {
    this.handler.allow(["states:SendTaskSuccess", "states:SendTaskFailure"], [stateMachine.stateMachineArn]);
  }
}
