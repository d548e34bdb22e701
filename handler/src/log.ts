/** One JSON object per line on stdout: Cloud Logging reads `severity`, `message` and the trace field. */
export type Severity = 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR' | 'CRITICAL';
export type LogEntry = { severity: Severity; message: string } & Record<string, unknown>;
export type Logger = (entry: LogEntry) => void;

// Lines written in the same event-loop turn go out in one write: under load that is one syscall for many
// tasks instead of one each. Flushed before the turn ends and on exit, so nothing is held back for long.
let pending: string[] = [];
let scheduled = false;

function flush(): void {
  scheduled = false;
  if (pending.length === 0) return;
  const text = pending.join('');
  pending = [];
  process.stdout.write(text);
}

process.on('exit', flush);

export const jsonLogger: Logger = (entry) => {
  pending.push(`${JSON.stringify(entry)}\n`);
  if (!scheduled) {
    scheduled = true;
    setImmediate(flush);
  }
};

/** `X-Cloud-Trace-Context: TRACE_ID/SPAN_ID;o=1` → the Cloud Logging trace field. */
export function traceField(header: string | undefined, project: string | undefined): Record<string, string> {
  const traceId = header?.split('/')[0];
  if (!traceId || !/^[0-9a-f]{32}$/i.test(traceId)) return {};
  return { 'logging.googleapis.com/trace': project ? `projects/${project}/traces/${traceId}` : traceId };
}
