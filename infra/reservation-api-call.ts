import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import {
  AuthType,
  CallApiGatewayHttpApiEndpoint,
  type CallApiGatewayHttpApiEndpointJsonPathProps,
  HttpMethod,
} from "aws-cdk-lib/aws-stepfunctions-tasks";
import type { Construct } from "constructs";
import type { ApiRoute } from "#api/route-list";
import type { QuotaGuardApi } from "./quota-guard-api.ts";

export interface ReservationApiCallProps
  extends Omit<CallApiGatewayHttpApiEndpointJsonPathProps, "apiId" | "apiStack" | "method" | "authType"> {
  readonly api: QuotaGuardApi;
  /** The route called; its path parameters may be filled at run time through `apiPath`. */
  readonly route: ApiRoute;
}

/**
 * Calls one Quota Guard route from Step Functions, signed with the state machine's role (SigV4), and
 * grants execute-api:Invoke on exactly that route. CDK derives the grant from `apiPath`, which yields a
 * nonsense ARN when the path is computed at run time (aws/aws-cdk#17464), so the grant is made here.
 */
export class ReservationApiCall extends CallApiGatewayHttpApiEndpoint {
  declare protected readonly taskPolicies: PolicyStatement[];

  constructor(scope: Construct, id: string, props: ReservationApiCallProps) {
    const { api, route, ...taskProps } = props;
    super(scope, id, {
      ...taskProps,
      apiId: api.httpApi.apiId,
      apiStack: api.apiStack,
      method: HttpMethod[route.method],
      authType: AuthType.IAM_ROLE,
    });
    this.taskPolicies = [
      new PolicyStatement({ actions: ["execute-api:Invoke"], resources: [api.invokeArn(route)] }),
    ];
  }
}
