#!/usr/bin/env node
// `npm run chaos -- --noise=cpu`: one core of background load for the whole run, so anyone can
// check verdicts hold on a loaded machine. A plain busy loop; chaos.mjs starts it and kills it
// by PID. It also exits when its parent goes away (orphaned: ppid becomes 1), so a crashed
// runner never leaves a core burning.
const parent = process.ppid;
let n = 0;
for (;;) {
  n = (n + 1) % 1_000_000_007;
  if (n % 50_000_000 === 0 && process.ppid !== parent) process.exit(0);
}
