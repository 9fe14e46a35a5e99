import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import * as api from "#core/job-spec";
import { SPEND_GROUPINGS } from "#core/spend-report";
import type * as Commander from "../../../packages/cli/node_modules/commander/typings/index.d.ts";
import {
  ENGINES,
  JOB_TYPES,
  RESERVATION_STATUSES,
  RESOLUTIONS,
  TRANSLATION_MODES,
} from "../../../packages/cli/src/api-enums.ts";
import { apiUrl } from "../../../packages/cli/src/api-url.ts";
import { UsageError } from "../../../packages/cli/src/failure.ts";
import { withJobFlags } from "../../../packages/cli/src/job-spec.ts";
import { cliErrors, flagOf, inFlagWords } from "../../../packages/cli/src/problem-flags.ts";
import * as spend from "../../../packages/cli/src/spend.ts";

// The CLI's own commander: its package pins another version than the root's, whose types do not fit.
const { Command } = createRequire(new URL("../../../packages/cli/package.json", import.meta.url))(
  "commander",
) as typeof Commander;
type Command = Commander.Command;

/** The CLI speaks flags: the API's pointers, enums and URLs as a shell user types them. */

describe("the help's lists are the API's enums", () => {
  it("the same values in the same order as lambdas/core/job-spec.ts", () => {
    expect(JOB_TYPES).toEqual(api.JOB_TYPES);
    expect(ENGINES).toEqual(api.ENGINES);
    expect(RESOLUTIONS).toEqual(api.RESOLUTIONS);
    expect(TRANSLATION_MODES).toEqual(api.TRANSLATION_MODES);
    expect(RESERVATION_STATUSES).toEqual(["held", "committed", "released", "expired"]);
    expect(spend.SPEND_GROUPINGS).toEqual(SPEND_GROUPINGS);
  });

  it("every value is in the job flags' help", () => {
    const help = withJobFlags(new Command("estimate")).helpInformation();
    for (const value of [...JOB_TYPES, ...ENGINES, ...RESOLUTIONS, ...TRANSLATION_MODES]) {
      expect(help).toContain(value);
    }
    expect(help).toContain("--translation-mode");
  });
});

describe("spend --by", () => {
  it("takes label:<key> and the API's groupings, and refuses anything else before a request", () => {
    expect(spend.groupByArg("label:campaign")).toBe("label:campaign");
    expect(spend.groupByArg("jobType")).toBe("jobType");
    for (const bad of ["campaign", "label:", "label:Campaign", "Day"]) {
      expect(() => spend.groupByArg(bad)).toThrow(/label:<key>/);
    }
  });
});

describe("--url", () => {
  it("adds http:// for loopback hosts only", () => {
    expect(apiUrl("127.0.0.1:3000")).toBe("http://127.0.0.1:3000");
    expect(apiUrl("localhost:3000/")).toBe("http://localhost:3000/");
    expect(apiUrl("[::1]:3000")).toBe("http://[::1]:3000");
    expect(apiUrl("https://api.example.com")).toBe("https://api.example.com");
    expect(apiUrl("http://127.0.0.1:3000")).toBe("http://127.0.0.1:3000");
  });

  it("any other host without a scheme is a usage error with the hint", () => {
    expect(() => apiUrl("api.example.com")).toThrow(UsageError);
    expect(() => apiUrl("api.example.com")).toThrow("--url needs a scheme, e.g. https://api.example.com");
    expect(() => apiUrl("localhost.example.com:3000")).toThrow("--url needs a scheme");
    expect(() => apiUrl("ftp://127.0.0.1")).toThrow("is not an http:// or https:// URL");
  });
});

function parsed(args: string[]): Command {
  const program = new Command().exitOverride();
  let ran: Command | undefined;
  withJobFlags(program.command("estimate")).action((_flags, command: Command) => {
    ran = command;
  });
  program.command("balance [account]").action((_a, _f, command: Command) => {
    ran = command;
  });
  program.parse(args, { from: "user" });
  if (!ran) throw new Error("no command ran");
  return ran;
}

describe("problem pointers as flags", () => {
  it("a field a flag sets, or a missing one, is named by the flag", () => {
    expect(flagOf("/durationSeconds", parsed(["estimate"]))).toBe("--duration");
    expect(flagOf("/translationMode", parsed(["estimate", "--type", "lipsync"]))).toBe("--translation-mode");
    expect(flagOf("/query/limit", undefined)).toBe("--limit");
  });

  it("a field the --spec file set keeps its pointer and says it is in --spec", () => {
    const fromSpec = parsed(["estimate", "--spec", "job.json"]);
    expect(flagOf("/durationSeconds", fromSpec)).toBe("--spec /durationSeconds");
    expect(flagOf("/jobs/0/engine", fromSpec)).toBe("--spec /jobs/0/engine");
    expect(flagOf("/durationSeconds", parsed(["estimate", "--spec", "j.json", "--duration", "5"]))).toBe(
      "--duration",
    );
  });

  it("/path/id is the command's argument", () => {
    expect(flagOf("/path/id", parsed(["balance", "nobody"]))).toBe("[account]");
  });

  it("field names inside a message become flags; plain words stay", () => {
    expect(inFlagWords("translationMode is required for type lipsync")).toBe(
      "--translation-mode is required for type lipsync",
    );
  });

  it("a validation detail that only repeats its errors is dropped, so each error is printed once", () => {
    const problem = {
      type: "x/validation-error",
      title: "Invalid request",
      status: 400,
      detail: "The request body is invalid: /durationSeconds Too small: expected number to be >0",
      errors: [{ pointer: "/durationSeconds", detail: "Too small: expected number to be >0" }],
    };
    expect(cliErrors(problem, parsed(["estimate", "--duration", "-5"]))).toEqual({
      detail: undefined,
      errors: [{ flag: "--duration", detail: "Too small: expected number to be >0" }],
    });
    const notFound = {
      ...problem,
      detail: 'No account "nobody".',
      errors: [{ pointer: "/path/id", detail: "unknown account" }],
    };
    expect(cliErrors(notFound, parsed(["balance", "nobody"])).detail).toBe('No account "nobody".');
  });
});
