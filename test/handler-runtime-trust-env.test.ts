// A handler's environment cannot change what its runtime trusts: which code it loads, which TLS roots it
// accepts, where its tokens come from. The rule lives once, in limits/.
import { TaskHandlerService, TaskHandlerServiceProps } from '../constructs';
import { RUNTIME_TRUST_ENV, runtimeTrustReason } from '../limits';
import { synth } from './helpers';

const base: TaskHandlerServiceProps = {
  serviceName: 'orders-handler',
  location: 'us-central1',
  audience: 'https://orders.example/tasks',
  tokenServiceAccountEmail: 'enq@test-project.iam.gserviceaccount.com',
};
const service = (props: Partial<TaskHandlerServiceProps>) => synth((stack) => new TaskHandlerService(stack, 'Handler', { ...base, ...props }));

describe('variables that change the runtime trust', () => {
  test('the list names the variables of the issue and the ones that swap TLS roots, load code or redirect tokens', () => {
    expect(Object.keys(RUNTIME_TRUST_ENV).sort()).toEqual([
      'GCE_METADATA_HOST',
      'GCE_METADATA_IP',
      'GOOGLE_APPLICATION_CREDENTIALS',
      'LD_LIBRARY_PATH',
      'LD_PRELOAD',
      'NODE_EXTRA_CA_CERTS',
      'NODE_OPTIONS',
      'NODE_PATH',
      'NODE_TLS_REJECT_UNAUTHORIZED',
      'NODE_USE_ENV_PROXY',
      'NODE_USE_SYSTEM_CA',
      'OPENSSL_CONF',
      'OPENSSL_MODULES',
      'SSL_CERT_DIR',
      'SSL_CERT_FILE',
    ]);
  });

  test.each(Object.keys(RUNTIME_TRUST_ENV))('GIVEN %s in environment WHEN synthesized THEN it is refused with its reason', (name) => {
    expect(() => service({ environment: { [name]: '1' } })).toThrow(`'environment.${name}' must be a variable other than ${name}, refused because ${RUNTIME_TRUST_ENV[name]} (bake a real need into the image), got "${name}"`);
  });

  test('GIVEN NODE_TLS_REJECT_UNAUTHORIZED as a secret WHEN synthesized THEN it is refused too', () => {
    expect(() => service({ secrets: { NODE_TLS_REJECT_UNAUTHORIZED: { secret: 'tls' } } })).toThrow(/'secrets.NODE_TLS_REJECT_UNAUTHORIZED' must be a variable other than NODE_TLS_REJECT_UNAUTHORIZED, refused because it turns off TLS certificate checks/);
  });

  test('GIVEN node_options in lowercase WHEN synthesized THEN it is refused under its uppercase name', () => {
    expect(() => service({ environment: { node_options: '--require x' } })).toThrow(/'environment.node_options' must be a variable other than NODE_OPTIONS, refused because it adds Node flags/);
  });

  test('GIVEN NODE_ENV and GOOGLE_CLOUD_PROJECT WHEN synthesized THEN they are allowed (they change no trust)', () => {
    expect(() => service({ environment: { NODE_ENV: 'production', GOOGLE_CLOUD_PROJECT: 'p' } })).not.toThrow();
  });

  test.each([['NODE_OPTIONS', RUNTIME_TRUST_ENV.NODE_OPTIONS], ['gce_metadata_host', RUNTIME_TRUST_ENV.GCE_METADATA_HOST], ['NODE_ENV', undefined], ['toString', undefined], ['constructor', undefined]])(
    'runtimeTrustReason(%j) is %j',
    (name, reason) => {
      expect(runtimeTrustReason(name)).toBe(reason);
    },
  );
});
