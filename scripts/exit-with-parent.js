// Preload (`node -r ./scripts/exit-with-parent.js ...`) for processes that npm or the dev server starts: when
// the parent is gone (npm killed with SIGKILL, a crashed dev server), stop as if sent SIGTERM, so no orphan
// keeps a port. Signals themselves reach the process directly (the npm scripts `exec` node).
'use strict';
const parent = process.ppid;
if (parent > 1) {
  const watch = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(watch);
    process.kill(process.pid, 'SIGTERM');
  }, 250);
  watch.unref(); // never the reason a process stays alive
}
