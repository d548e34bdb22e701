import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { TerraformStack, Testing, Token } from 'cdktf';
import { HttpTargetPipeline, ProjectFoundation, ProjectFoundationStack, QueueAlerts, releaseProjectFoundation } from '../constructs';
import { only, resources, synth } from './helpers';

describe('ProjectFoundation lookups', () => {
  test('GIVEN a foundation WHEN it is looked up again with only the project, or with unset options THEN the same foundation is returned', () => {
    synth((stack) => {
      const first = ProjectFoundation.of(stack, 'test-project');
      expect(ProjectFoundation.of(stack, 'test-project')).toBe(first);
      expect(ProjectFoundation.of(stack, { project: 'test-project', waitSeconds: undefined, apis: undefined })).toBe(first);
    });
  });

  test('GIVEN a foundation WHEN it is looked up again with two options THEN the error lists both', () => {
    expect(() =>
      synth((stack) => {
        ProjectFoundation.of(stack, 'test-project');
        ProjectFoundation.of(stack, { project: 'test-project', apis: ['pubsub.googleapis.com'], waitSeconds: 120 });
      }),
    ).toThrow("ProjectFoundation 'test/CloudTasksServiceAgent-test-project' already exists: pass apis, waitSeconds where it is first created (or call enableApi on it)");
  });

  test('GIVEN an API with a dotted name WHEN enabled THEN its Terraform address uses the name without .googleapis.com, dots as hyphens', () => {
    const s = synth((stack) => ProjectFoundation.of(stack, 'test-project').enableApi('container.sandbox.googleapis.com'));
    const [id] = Object.entries(resources(s, 'google_project_service')).find(([, a]: any) => a.service === 'container.sandbox.googleapis.com')!;
    expect(id).toMatch(/^CloudTasksServiceAgent-test-project_container-sandbox_[0-9A-F]{8}$/);
  });

  test('GIVEN a project id with characters outside ids WHEN the foundation is made THEN the error names a construct path with hyphens in their place', () => {
    expect(() => synth((stack) => ProjectFoundation.of(stack, 'My_Project.x'))).toThrow(/Invalid props for 'test\/CloudTasksServiceAgent-My-Project-x':/);
  });

  test('GIVEN a project only known at apply time WHEN the foundation is made THEN its id ends in a 12-character hash of the token', () => {
    synth((stack) => {
      expect(ProjectFoundation.of(stack, Token.asString({ Ref: 'project' })).node.id).toMatch(/^CloudTasksServiceAgent-[0-9a-f]{12}$/);
    });
  });
});

describe('ProjectFoundationStack', () => {
  test('GIVEN a project WHEN synthesized THEN the stack\'s provider uses that project', () => {
    const home = new ProjectFoundationStack(Testing.app(), 'home', { project: 'home-project' });
    expect(JSON.parse(Testing.synth(home)).provider.google).toEqual([{ project: 'home-project' }]);
  });
});

describe('QueueAlerts dead-letter metric names', () => {
  const metricName = (queueId: string) =>
    only(synth((stack) => new QueueAlerts(stack, 'Alerts', { queueId, location: 'us-central1', project: 'test-project', handlerServiceName: 'h' })), 'google_logging_metric').name;

  test('GIVEN a name of exactly 100 characters WHEN synthesized THEN the metric keeps it', () => {
    const queueId = 'q'.repeat(63); // "cloud-tasks/dead-letters/us-central1/" is 37 characters
    expect(metricName(queueId)).toBe(`cloud-tasks/dead-letters/us-central1/${queueId}`);
  });

  test('GIVEN a name of 101 characters WHEN synthesized THEN the metric name is cut to 83 characters plus a hash, 100 in all', () => {
    const queueId = 'q'.repeat(64);
    const name = metricName(queueId);
    expect(name).toMatch(/^cloud-tasks\/dead-letters\/us-central1\/q{46}-[0-9a-f]{16}$/);
    expect(name).toHaveLength(100);
  });
});

describe('releaseProjectFoundation', () => {
  test('GIVEN a stack that still has its foundation WHEN it is released THEN the error says to move the foundation first', () => {
    const app = Testing.app();
    const stack = new ProjectFoundationStack(app, 'env', { project: 'test-project' });
    expect(() => releaseProjectFoundation(stack, 'test-project')).toThrow(
      "stack 'env' still has its project foundation 'CloudTasksServiceAgent-test-project': release it only after moving it to its own stack",
    );
  });

  test('GIVEN a released foundation WHEN the stack is written as HCL THEN cdktf writes it without the removed blocks (npm run synth:hcl adds them)', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'env');
    new GoogleProvider(stack, 'google', { project: 'test-project' });
    const removed = releaseProjectFoundation(stack, 'test-project');
    expect(removed.map((r) => r.toHclTerraform())).toEqual(removed.map(() => ({})));
    const hcl = Testing.synthHcl(stack);
    expect(hcl).toContain('provider "google"');
    expect(hcl).not.toContain('removed');
  });
});

describe('releaseProjectFoundation covers every API of the old layout', () => {
  const released = (apis?: string[]) => {
    const stack = new TerraformStack(Testing.app(), 'env');
    return releaseProjectFoundation(stack, 'test-project', apis).map((r) => r.address.replace(/^google_project_service\.CloudTasksServiceAgent-test-project_(\w+?)_[0-9A-F]{8}$/, '$1'));
  };

  test('by default: the three required APIs, monitoring, logging and pubsub, then the agent grant', () => {
    expect(released()).toEqual(['cloudtasks', 'run', 'iam', 'monitoring', 'logging', 'pubsub', expect.stringMatching(/^google_project_iam_member\.CloudTasksServiceAgent-test-project_ServiceAgentRole_/)]);
  });

  test('extra APIs are added once, an API already covered is not repeated', () => {
    expect(released(['pubsub.googleapis.com', 'secretmanager.googleapis.com']).slice(5, 7)).toEqual(['pubsub', 'secretmanager']);
    expect(released(['pubsub.googleapis.com', 'secretmanager.googleapis.com'])).toHaveLength(8);
  });
});

describe('Terraform version', () => {
  test('a ProjectFoundationStack requires Terraform >= 1.7 (its environments carry removed blocks)', () => {
    const stack = new ProjectFoundationStack(Testing.app(), 'home', { project: 'test-project' });
    expect(JSON.parse(Testing.synth(stack)).terraform.required_version).toBe('>= 1.7');
  });
});

describe('A foundation in another stack, written as HCL', () => {
  test('GIVEN a pipeline using a foundation stack WHEN the pipeline\'s stack is written as HCL THEN its readiness anchor carries the wait and the grant as input', () => {
    const app = Testing.app();
    const home = new ProjectFoundationStack(app, 'home', { project: 'test-project' });
    const env = new TerraformStack(app, 'env');
    new GoogleProvider(env, 'google', { project: 'test-project' });
    new HttpTargetPipeline(env, 'Orders', { queueId: 'orders', location: 'us-central1', project: 'test-project', foundation: home.foundation });
    const anchor = /resource "terraform_data" "[^"]+" \{([\s\S]*?)\n\s*\}\n/.exec(Testing.synthHcl(env))?.[1] ?? '';
    expect(anchor).toMatch(/input\s*=\s*\{/);
    expect(anchor).toMatch(/\n\s*wait\s*=\s*"\$\{time_sleep\./);
    expect(anchor).toMatch(/\n\s*serviceAgentRole\s*=\s*"\$\{google_project_iam_member\./);
  });
});
