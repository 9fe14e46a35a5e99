import { Stack } from "aws-cdk-lib";
import { AccessLogFormat } from "aws-cdk-lib/aws-apigateway";
import { HttpApi, HttpMethod, HttpStage, LogGroupLogDestination } from "aws-cdk-lib/aws-apigatewayv2";
import { HttpIamAuthorizer } from "aws-cdk-lib/aws-apigatewayv2-authorizers";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import type { LogGroup } from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import { API_FUNCTION_ROUTES, type ApiRoute, executeApiPath } from "#api/route-list";
import { createLogGroup, type LogSettings } from "./log-settings.ts";

export interface ApiThrottle {
  /** Steady requests per second across the stage. */
  readonly rateLimit: number;
  readonly burstLimit: number;
}

export interface QuotaGuardApiProps {
  readonly handler: IFunction;
  readonly throttle: ApiThrottle;
  readonly logs: LogSettings;
}

/** HTTP API stage name served at the API's root URL. */
export const DEFAULT_STAGE = "$default";

/**
 * The HTTP API: every route listed explicitly and signed with SigV4 (IAM authorization), one Lambda
 * integration, a throttled default stage and JSON access logs that record the IAM caller of each request.
 */
export class QuotaGuardApi extends Construct {
  readonly httpApi: HttpApi;
  readonly stage: HttpStage;
  readonly accessLogs: LogGroup;

  constructor(scope: Construct, id: string, props: QuotaGuardApiProps) {
    super(scope, id);
    this.httpApi = new HttpApi(this, "HttpApi", {
      description: "HeyGen Quota Guard: estimates, checks and credit reservations",
      createDefaultStage: false,
      defaultAuthorizer: new HttpIamAuthorizer(),
    });
    this.accessLogs = createLogGroup(this, "AccessLogs", props.logs);
    this.stage = new HttpStage(this, "DefaultStage", {
      httpApi: this.httpApi,
      stageName: DEFAULT_STAGE,
      autoDeploy: true,
      throttle: props.throttle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        format: accessLogFormat(),
      },
    });
    const integration = new HttpLambdaIntegration("Handler", props.handler);
    // The webhook function adds its own routes (heygen-webhook.ts), and so does the reports function.
    for (const route of API_FUNCTION_ROUTES) {
      this.httpApi.addRoutes({ path: route.path, methods: [HttpMethod[route.method]], integration });
    }
  }

  /** Sends `routes` to `handler` instead (a function of its own: the reports, the webhook's). */
  addFunctionRoutes(id: string, routes: readonly ApiRoute[], handler: IFunction): void {
    const integration = new HttpLambdaIntegration(id, handler);
    for (const route of routes) {
      this.httpApi.addRoutes({ path: route.path, methods: [HttpMethod[route.method]], integration });
    }
  }

  get url(): string {
    return this.stage.url;
  }

  /** The execute-api ARN an IAM policy names to allow calling `route` on the default stage. */
  invokeArn(route: ApiRoute): string {
    return this.httpApi.arnForExecuteApi(route.method, executeApiPath(route), DEFAULT_STAGE);
  }

  get apiStack(): Stack {
    return Stack.of(this.httpApi);
  }
}

function accessLogFormat(): AccessLogFormat {
  return AccessLogFormat.custom(
    JSON.stringify({
      requestId: "$context.requestId",
      routeKey: "$context.routeKey",
      status: "$context.status",
      caller: "$context.identity.userArn",
      sourceIp: "$context.identity.sourceIp",
      requestTime: "$context.requestTime",
      responseLatency: "$context.responseLatency",
      integrationLatency: "$context.integrationLatency",
      integrationError: "$context.integrationErrorMessage",
      authorizerError: "$context.authorizer.error",
    }),
  );
}
