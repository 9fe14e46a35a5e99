import { measureInProcess } from "./in-process.ts";

const r = await measureInProcess(20000);
console.log(
  JSON.stringify({
    est: [Math.round(r.estimate.opsPerSecond), r.estimate.p99Ms],
    chk: [Math.round(r.check.opsPerSecond), r.check.p99Ms],
    floor: Math.round(r.routerFloor.opsPerSecond),
  }),
);
