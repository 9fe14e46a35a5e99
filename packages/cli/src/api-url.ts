import { UsageError } from "./failure.ts";

/** Hosts where plain http is what a local stack (`npm start`) serves, so a missing scheme can only mean http. */
const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?(\/|$)/i;

/**
 * The `--url` (or QUOTA_GUARD_URL) as the client needs it: `127.0.0.1:3000`, `localhost:3000` and
 * `[::1]:3000` get `http://`; any other URL must say http:// or https://, because guessing https for a
 * custom domain, or http for a remote host, could send requests where the user did not mean.
 * Throws UsageError (exit 2) with the hint.
 */
export function apiUrl(value: string): string {
  const url = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : LOOPBACK.test(value) ? `http://${value}` : "";
  if (url === "") {
    throw new UsageError(
      `--url needs a scheme, e.g. https://${value} (http:// is added only for 127.0.0.1, localhost and [::1])`,
    );
  }
  if (!URL.canParse(url) || !["http:", "https:"].includes(new URL(url).protocol)) {
    throw new UsageError(`--url ${value} is not an http:// or https:// URL`);
  }
  return url;
}
