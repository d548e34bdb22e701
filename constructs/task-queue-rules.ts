import {
  HTTP_METHODS,
  LOCATION_PATTERN,
  MAX_CONCURRENT_DISPATCHES,
  MAX_DISPATCHES_PER_SECOND,
  MAX_TASK_LIFETIME_SECONDS,
  PROJECT_ID_PATTERN,
  Problems,
  QUEUE_ID_PATTERN,
  URI_OVERRIDE_ENFORCE_MODES,
  URI_SCHEMES,
  headerProblem,
  headersFitOverrideLimit,
  isDurationBetween,
  isEmail,
  isGoogleApisHost,
  isHostName,
  isIntegerBetween,
  isPositiveAtMost,
  parseSeconds,
} from '../limits';
import type { QueueHttpTargetProps, QueueRetryProps, TaskQueueProps } from './task-queue';

const oneOf = (values: readonly string[]) => (v: string) => values.includes(v);

/** Every synth-time rule for a queue, as a table of checks. */
export function checkQueueProps(
  p: Problems,
  props: Pick<TaskQueueProps, 'queueId' | 'location' | 'project'> & Partial<TaskQueueProps>,
): void {
  p.check('queueId', props.queueId, (v) => QUEUE_ID_PATTERN.test(v), 'letters, digits and hyphens, 1-100 characters (no underscores)');
  p.check('location', props.location, (v) => LOCATION_PATTERN.test(v), 'a region such as "us-central1"');
  p.check('project', props.project, (v) => PROJECT_ID_PATTERN.test(v), 'a project id: 6-30 lowercase letters, digits and hyphens, starting with a letter');
  const rates = props.rateLimits;
  p.check('rateLimits.maxDispatchesPerSecond', rates?.maxDispatchesPerSecond, (v) => isPositiveAtMost(v, MAX_DISPATCHES_PER_SECOND), `a number > 0 and <= ${MAX_DISPATCHES_PER_SECOND}`);
  p.check('rateLimits.maxConcurrentDispatches', rates?.maxConcurrentDispatches, (v) => isIntegerBetween(v, 1, MAX_CONCURRENT_DISPATCHES), `an integer from 1 to ${MAX_CONCURRENT_DISPATCHES}`);
  p.check('loggingSamplingRatio', props.loggingSamplingRatio, (v) => Number.isFinite(v) && v >= 0 && v <= 1, 'a number from 0.0 to 1.0');
  if (props.retry) checkRetry(p, props.retry);
  if (props.httpTarget) checkHttpTarget(p, props.httpTarget);
}

function checkRetry(p: Problems, retry: QueueRetryProps): void {
  const wholeSeconds = (max: number) => (v: string) => isDurationBetween(v, 0, max);
  const durationText = 'whole seconds such as "10s", at most 31 days';
  p.check('retry.maxAttempts', retry.maxAttempts, (v) => Number.isInteger(v) && v >= -1, 'an integer >= -1 (-1 = unlimited)');
  p.check('retry.maxRetryDuration', retry.maxRetryDuration, wholeSeconds(MAX_TASK_LIFETIME_SECONDS), `${durationText} ("0s" = unlimited)`);
  p.check('retry.minBackoff', retry.minBackoff, wholeSeconds(MAX_TASK_LIFETIME_SECONDS), durationText);
  p.check('retry.maxBackoff', retry.maxBackoff, wholeSeconds(MAX_TASK_LIFETIME_SECONDS), durationText);
  p.check('retry.maxDoublings', retry.maxDoublings, (v) => isIntegerBetween(v, 0, 16), 'an integer from 0 to 16');
  if (p.known(retry.minBackoff) && p.known(retry.maxBackoff)) {
    const min = parseSeconds(retry.minBackoff);
    const max = parseSeconds(retry.maxBackoff);
    p.fail('retry.minBackoff', retry.minBackoff, `<= retry.maxBackoff (${retry.maxBackoff})`, min !== undefined && max !== undefined && min > max);
  }
}

function checkHttpTarget(p: Problems, target: QueueHttpTargetProps): void {
  p.check('httpTarget.httpMethod', target.httpMethod, oneOf(HTTP_METHODS), `one of ${HTTP_METHODS.join(', ')}`);
  const uri = target.uriOverride;
  if (uri) {
    p.check('httpTarget.uriOverride.scheme', uri.scheme, oneOf(URI_SCHEMES), `one of ${URI_SCHEMES.join(', ')}`);
    p.check('httpTarget.uriOverride.host', uri.host, isHostName, 'a host name without scheme, port or path, e.g. "handler-abc-uc.a.run.app"');
    p.check('httpTarget.uriOverride.port', uri.port, (v) => isIntegerBetween(v, 1, 65535), 'an integer from 1 to 65535');
    p.check('httpTarget.uriOverride.path', uri.path, (v) => v.startsWith('/') && !/[\s?#]/.test(v), 'a path starting with "/" without spaces, "?" or "#"');
    p.check('httpTarget.uriOverride.query', uri.query, (v) => !v.startsWith('?') && !/[\s#]/.test(v), 'a query string without the leading "?", spaces or "#"');
    p.check('httpTarget.uriOverride.enforceMode', uri.enforceMode, oneOf(URI_OVERRIDE_ENFORCE_MODES), `one of ${URI_OVERRIDE_ENFORCE_MODES.join(', ')}`);
  }
  const headers = target.headers ?? {};
  for (const name of Object.keys(headers)) {
    const problem = headerProblem(name);
    p.fail(`httpTarget.headers`, name, `a header Cloud Tasks lets queues set ("${name}" ${problem})`, problem !== undefined);
  }
  p.check('httpTarget.headers', headers, headersFitOverrideLimit, 'under 80 KB in total');

  const { oidcToken: oidc, oauthToken: oauth } = target;
  p.fail('httpTarget.oauthToken', 'both oidcToken and oauthToken', 'set without oidcToken: a queue attaches one token type (OIDC for handlers, OAuth for *.googleapis.com)', Boolean(oidc && oauth));
  p.check('httpTarget.oidcToken.serviceAccount.email', oidc?.serviceAccount.email, isEmail, 'a service account email address');
  p.check('httpTarget.oidcToken.audience', oidc?.audience, (v) => v.trim().length > 0, 'a non-empty audience (the handler URL or one of its custom audiences)');
  p.check('httpTarget.oauthToken.serviceAccount.email', oauth?.serviceAccount.email, isEmail, 'a service account email address');
  p.check('httpTarget.oauthToken.scope', oauth?.scope, (v) => v.startsWith('https://www.googleapis.com/auth/'), 'an OAuth scope URL such as "https://www.googleapis.com/auth/cloud-platform"');
  if (oauth) {
    p.check('httpTarget.uriOverride.host', uri?.host, isGoogleApisHost, 'a *.googleapis.com host when oauthToken is set (use oidcToken for other handlers)');
  }
  if (oidc || oauth) {
    p.check('httpTarget.uriOverride.scheme', uri?.scheme, (v) => v === 'HTTPS', 'HTTPS when a token is attached (tokens are never sent over plain HTTP)');
  }
}
