import { runEverywhere } from './write-once.js';

console.log(JSON.stringify(await runEverywhere(Number(process.argv[2] ?? 20))));
