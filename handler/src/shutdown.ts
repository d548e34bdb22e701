import { jsonLogger } from './log';
import type { TaskServer } from './server';

/** SIGTERM (Cloud Run) / SIGINT: stop accepting, finish in-flight tasks within the grace period, exit 0. */
export function installShutdown(server: TaskServer): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    jsonLogger({ severity: 'INFO', message: `${signal}: draining ${server.activeTasks} in-flight task(s)` });
    void server.shutdown().then(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
