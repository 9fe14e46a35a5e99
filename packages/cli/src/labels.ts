import { InvalidArgumentError } from "commander";

/**
 * `--label key=value`, repeatable: the labels a check or a hold carries (or a listing filters by). The CLI
 * reads only the `=`; the API checks keys and values and names a bad one (`--label: ...`).
 *
 * @throws InvalidArgumentError (exit 2) for a value without `=` or with an empty key
 */
export function labelArg(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const at = value.indexOf("=");
  if (at <= 0) throw new InvalidArgumentError("must be key=value, e.g. campaign=spring");
  return { ...previous, [value.slice(0, at)]: value.slice(at + 1) };
}

export const LABEL_HELP = "a label, key=value (repeat for more): which pipeline, campaign or client spends";
