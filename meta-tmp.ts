import { build } from "esbuild";
import { esbuildOptions } from "#infra/bundling";

const entry = process.argv[2]!;
const r = await build({
  ...esbuildOptions(),
  entryPoints: [entry],
  write: false,
  metafile: true,
  outfile: "/tmp/x.js",
});
const out = Object.values(r.metafile.outputs).find((o) => o.entryPoint)!;
const rows = Object.entries(out.inputs).map(([k, v]) => `${v.bytesInOutput}\t${k}`);
console.log(
  rows
    .sort((a, b) => parseInt(b) - parseInt(a))
    .slice(0, 400)
    .join("\n"),
);
