/**
 * A reservation request that cannot be applied as given: `field` names the offending input (its wire name,
 * e.g. `actualAmount`), `pointer` where it was. The planners raise it; use cases answer it as a 400.
 */
export class InvalidReservationRequestError extends Error {
  override readonly name = "InvalidReservationRequestError";
  constructor(
    readonly field: string,
    message: string,
    readonly pointer = `/${field}`,
  ) {
    super(`${field} ${message}`);
  }
}
