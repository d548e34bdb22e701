// Preloaded into each benchmarked process: reports its peak RSS (KB) on exit, on fd 3.
'use strict';
const fs = require('node:fs');
process.on('exit', () => {
  try {
    fs.writeSync(3, `${process.resourceUsage().maxRSS}\n`);
  } catch {
    // not run by the benchmark
  }
});
