/**
 * The HeyGen Quota Guard client: typed helpers over the API (docs/api.md), SigV4 in AWS, typed errors and
 * `withReservation`. See the README section "Use it from a pipeline".
 */
export {
  DEFAULT_URL,
  type JobResult,
  QuotaGuardClient,
  type QuotaGuardClientOptions,
  type ReservationOutcome,
  type ReservationSpec,
} from "./client.ts";
export {
  AuthorizationError,
  ConflictError,
  InsufficientBalanceError,
  NotFoundError,
  type Problem,
  problemType,
  QuotaGuardError,
  ServiceUnavailableError,
  UnreachableError,
  ValidationError,
} from "./errors.ts";
export type { components, paths } from "./generated/openapi.ts";
export type { RetryPolicy } from "./retry.ts";
export { type AwsCredentials, executeApiRegion, type SigningOptions } from "./signing.ts";
export type * from "./types.ts";
