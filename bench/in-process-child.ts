/** Runs the in-process measurement in this process and prints it as JSON (spawned with another Node). */
import { measureInProcess } from "./in-process.ts";

const iterations = Number(process.argv[2]);
console.log(JSON.stringify(await measureInProcess(iterations)));
