import {
  checkExistingPath,
  checkQueueSettings,
  HTTP_METHODS,
  Problems,
  RULES,
  URI_OVERRIDE_ENFORCE_MODES,
  URI_SCHEMES,
  headerProblem,
  headersFitOverrideLimit,
  isGoogleApisHost,
  isHostName,
  isIntegerBetween,
} from '../limits';
import type { QueueHttpTargetProps, TaskQueueProps } from './task-queue';

const oneOf = (values: readonly string[]) => (v: string) => values.includes(v);

/** Every synth-time rule for a queue, as a table of checks. */
export function checkQueueProps(
  p: Problems,
  props: Pick<TaskQueueProps, 'queueId' | 'location' | 'project'> & Partial<TaskQueueProps>,
): void {
  checkQueueSettings(p, props);
  if (props.httpTarget) checkHttpTarget(p, props.httpTarget);
}

/** An adopted queue: its existing name given, matching the declared one, and a project for the import id. */
export function checkQueueAdoption(p: Problems, props: Pick<TaskQueueProps, 'queueId' | 'location' | 'project' | 'existingQueue' | 'adoptExisting'>): void {
  const adopt = props.adoptExisting === true;
  p.fail('project', undefined, 'set when adoptExisting is true (the import id names the project)', adopt && props.project === undefined);
  checkExistingPath(p, 'queue', { adopt, existing: props.existingQueue, declared: { project: props.project, location: props.location, name: props.queueId } });
}

function checkHttpTarget(p: Problems, target: QueueHttpTargetProps): void {
  p.check('httpTarget.httpMethod', target.httpMethod, oneOf(HTTP_METHODS), `one of ${HTTP_METHODS.join(', ')}`);
  const uri = target.uriOverride;
  if (uri) {
    p.check('httpTarget.uriOverride.scheme', uri.scheme, oneOf(URI_SCHEMES), `one of ${URI_SCHEMES.join(', ')}`);
    p.check('httpTarget.uriOverride.host', uri.host, isHostName, 'a host name without scheme, port or path, e.g. "handler-abc-uc.a.run.app"');
    p.check('httpTarget.uriOverride.port', uri.port, (v) => isIntegerBetween(v, 1, 65535), 'an integer from 1 to 65535');
    p.rule('httpTarget.uriOverride.path', uri.path, RULES.path);
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
  p.rule('httpTarget.oidcToken.serviceAccount.email', oidc?.serviceAccount.email, RULES.serviceAccountEmail);
  p.check('httpTarget.oidcToken.audience', oidc?.audience, (v) => v.trim().length > 0, 'a non-empty audience (the handler URL or one of its custom audiences)');
  p.rule('httpTarget.oauthToken.serviceAccount.email', oauth?.serviceAccount.email, RULES.serviceAccountEmail);
  p.check('httpTarget.oauthToken.scope', oauth?.scope, (v) => v.startsWith('https://www.googleapis.com/auth/'), 'an OAuth scope URL such as "https://www.googleapis.com/auth/cloud-platform"');
  if (oauth) {
    p.check('httpTarget.uriOverride.host', uri?.host, isGoogleApisHost, 'a *.googleapis.com host when oauthToken is set (use oidcToken for other handlers)');
  }
  if (oidc || oauth) {
    p.check('httpTarget.uriOverride.scheme', uri?.scheme, (v) => v === 'HTTPS', 'HTTPS when a token is attached (tokens are never sent over plain HTTP)');
  }
}
