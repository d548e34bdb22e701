/** What Cloud Tasks tells the handler about a dispatch, from the `X-CloudTasks-*` headers. Information, never identity. */
export interface TaskContext {
  readonly queueName: string;
  readonly taskName: string;
  /** Earlier attempts of this task, whatever their outcome. */
  readonly retryCount: number;
  /** Earlier attempts that got a non-5xx response. */
  readonly executionCount: number;
  /** When the task was scheduled to run. */
  readonly eta?: Date;
  /** HTTP status of the previous attempt (504 when it hit the dispatch deadline). */
  readonly previousResponse?: number;
  /** Why the previous attempt is being retried; may be empty. */
  readonly retryReason?: string;
}

export class BadRequestError extends Error {}

type Headers = Record<string, string | string[] | undefined>;

/** Parses the `X-CloudTasks-*` headers; a missing task name or a malformed number is a 400. */
export function parseTaskContext(headers: Headers): TaskContext {
  const get = (name: string): string | undefined => {
    const v = headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const taskName = get('x-cloudtasks-taskname');
  if (!taskName) throw new BadRequestError('missing X-CloudTasks-TaskName header: requests must come from Cloud Tasks');
  const count = (name: string): number => {
    const raw = get(name);
    if (raw === undefined || raw === '') return 0;
    if (!/^\d+$/.test(raw)) throw new BadRequestError(`${name} must be a whole number, got ${JSON.stringify(raw)}`);
    return Number(raw);
  };
  const etaRaw = get('x-cloudtasks-tasketa');
  let eta: Date | undefined;
  if (etaRaw) {
    const seconds = Number(etaRaw);
    if (!Number.isFinite(seconds)) throw new BadRequestError(`X-CloudTasks-TaskETA must be epoch seconds, got ${JSON.stringify(etaRaw)}`);
    eta = new Date(seconds * 1000);
  }
  const previous = get('x-cloudtasks-taskpreviousresponse');
  return {
    queueName: get('x-cloudtasks-queuename') ?? '',
    taskName,
    retryCount: count('x-cloudtasks-taskretrycount'),
    executionCount: count('x-cloudtasks-taskexecutioncount'),
    eta,
    previousResponse: previous && /^\d{3}$/.test(previous) ? Number(previous) : undefined,
    retryReason: get('x-cloudtasks-taskretryreason') || undefined,
  };
}
