/**
 * `npm run bench:bundles`: only the bundle phase of `npm run bench`, in under a minute. Bundles the three
 * Lambdas as the stack does, prints each one's size and largest contributors (esbuild's metafile), and the
 * median import time of `--cold-start-runs` fresh processes, on this machine's Node and, when it can be had,
 * the Lambda runtime's (`--lambda-node`, see settings.ts).
 */
import { measureColdStarts } from "./cold-start.ts";
import { resolveLambdaNode } from "./lambda-node.ts";
import { renderBundles } from "./report.ts";
import { runIfMain } from "./script.ts";
import { parseBenchSettings } from "./settings.ts";
import { round } from "./stats.ts";

async function main() {
  const settings = parseBenchSettings();
  const progress = (message: string) => console.error(`bench: ${message}…`);
  const nodes = [{ label: `Node ${process.version} (this machine)`, path: process.execPath }];
  const lambdaNode = resolveLambdaNode(settings.lambdaNode, progress);
  if (lambdaNode && lambdaNode.version !== process.version) {
    nodes.push({ label: `Node ${lambdaNode.version} (the Lambda runtime's major)`, path: lambdaNode.path });
  }
  let printedSizes = false;
  for (const node of nodes) {
    progress(`bundling and importing each Lambda ${settings.coldStartRuns} times on ${node.label}`);
    const figures = await measureColdStarts(settings.coldStartRuns, node.path);
    if (!printedSizes) {
      console.log(renderBundles(figures));
      printedSizes = true;
    }
    const imports = Object.entries(figures)
      .map(([name, f]) => `${name} ${round(f.importMedianMs, 0)} ms`)
      .join(", ");
    console.log(`import, median of ${settings.coldStartRuns} fresh processes, ${node.label}: ${imports}`);
  }
}

runIfMain(import.meta.url, main);
