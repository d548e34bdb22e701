import { TerraformStack, Testing } from 'cdktf';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FEATURE_APIS, GoogleBetaProvider, ProjectFoundation, ProjectFoundationProps, ProjectFoundationStack, REQUIRED_APIS, ServiceAccount } from '../constructs';
import { only, resources, synth } from './helpers';

const foundation = (props: ProjectFoundationProps = {}) => synth((stack) => ProjectFoundation.of(stack, { project: 'test-project', ...props }));
const idOf = (s: ReturnType<typeof synth>, type: string) => Object.keys(resources(s, type))[0];
const apiIds = (s: ReturnType<typeof synth>) => Object.fromEntries(Object.entries(resources(s, 'google_project_service')).map(([id, r]: any) => [r.service, id]));

describe('ProjectFoundation', () => {
  test('grants roles/cloudtasks.serviceAgent to the agent named from the project number', () => {
    const s = foundation();
    const grant = only(s, 'google_project_iam_member');
    expect(grant.role).toBe('roles/cloudtasks.serviceAgent');
    const [dataId, data] = Object.entries(s.json.data!.google_project)[0];
    expect(data.project_id).toBe('test-project');
    expect(grant.member).toBe(`serviceAccount:service-\${data.google_project.${dataId}.number}@gcp-sa-cloudtasks.iam.gserviceaccount.com`);
  });

  test('enables the required APIs and never disables them on destroy', () => {
    const apis = Object.values(resources(foundation(), 'google_project_service')) as any[];
    expect(apis.map((a) => a.service).sort()).toEqual([...REQUIRED_APIS].sort());
    for (const api of apis) expect(api.disable_on_destroy).toBe(false);
  });

  test('waits 60 s after every API is enabled (time_sleep triggered by each API)', () => {
    const s = foundation();
    const wait = only(s, 'time_sleep');
    expect(wait.create_duration).toBe('60s');
    const ids = apiIds(s);
    expect(wait.triggers).toEqual(Object.fromEntries(REQUIRED_APIS.map((api) => [api, `\${google_project_service.${ids[api]}.id}`])));
  });

  test('grants the agent its role only after the wait and after creating the agent (no race with its creation)', () => {
    const s = foundation();
    expect(only(s, 'google_project_iam_member').depends_on).toEqual([`time_sleep.${idOf(s, 'time_sleep')}`, `google_project_service_identity.${idOf(s, 'google_project_service_identity')}`]);
  });

  test('creates the Cloud Tasks agent with google-beta google_project_service_identity, after the wait', () => {
    const s = foundation();
    expect(only(s, 'google_project_service_identity')).toEqual({
      project: `\${data.google_project.${Object.keys((s.json as any).data.google_project)[0]}.project_id}`,
      service: 'cloudtasks.googleapis.com',
      provider: 'google-beta',
      depends_on: [`time_sleep.${idOf(s, 'time_sleep')}`],
    });
  });

  test('the grant keeps its member built from the project number (an existing grant is not replaced)', () => {
    const s = foundation();
    expect(only(s, 'google_project_iam_member').member).toBe(`serviceAccount:service-\${data.google_project.${Object.keys((s.json as any).data.google_project)[0]}.number}@gcp-sa-cloudtasks.iam.gserviceaccount.com`);
  });

  test('declares google-beta once per stack, pinned to the google provider\'s version, with its project, and no bindings package', () => {
    const s = synth((stack) => {
      ProjectFoundation.of(stack, 'test-project');
      ProjectFoundation.of(stack, 'other-project');
    });
    const json = s.json as any;
    expect(json.provider['google-beta']).toEqual([{ project: 'test-project' }]);
    expect(json.terraform.required_providers['google-beta']).toEqual({ source: 'hashicorp/google-beta', version: json.terraform.required_providers.google.version });
    expect(Object.keys(resources(s, 'google_project_service_identity'))).toHaveLength(2);
  });

  test('as HCL: the google-beta provider with its project, and the identity with its service and provider', () => {
    const stack = new ProjectFoundationStack(Testing.app(), 'home', { project: 'test-project' });
    const hcl = Testing.synthHcl(stack);
    expect(hcl).toMatch(/provider "google-beta" \{\s+project = "test-project"\s+\}/);
    const identity = /resource "google_project_service_identity" "[^"]+" \{([\s\S]*?)\n\}/.exec(hcl)?.[1] ?? '';
    expect(identity).toMatch(/\n\s*service = "cloudtasks\.googleapis\.com"/);
    expect(identity).toMatch(/\n\s*project = "\$\{data\.google_project\.[\w-]+\.project_id\}"/);
    // cdktf quotes the provider reference; npm run synth:hcl unquotes it (test/hcl-export.test.ts)
    expect(identity).toMatch(/\n\s*provider = "google-beta"/);
  });

  test('google-beta without a google provider in the stack has no project of its own', () => {
    const stack = new TerraformStack(Testing.app(), 'bare');
    GoogleBetaProvider.of(stack);
    expect(JSON.parse(Testing.synth(stack)).provider['google-beta']).toEqual([{}]);
  });

  test('createServiceAgent: false leaves the agent to Google: no identity, no google-beta, the grant waits for the wait only', () => {
    const s = foundation({ createServiceAgent: false });
    expect(resources(s, 'google_project_service_identity')).toEqual({});
    expect((s.json as any).provider).not.toHaveProperty('google-beta');
    expect(only(s, 'google_project_iam_member').depends_on).toEqual([`time_sleep.${idOf(s, 'time_sleep')}`]);
  });

  test('declares the time provider once per stack, from its prebuilt package', () => {
    const s = synth((stack) => {
      ProjectFoundation.of(stack, 'test-project');
      ProjectFoundation.of(stack, 'other-project');
    });
    expect((s.json as any).provider).toHaveProperty('time', [{}]);
    expect((s.json as any).terraform.required_providers.time).toEqual({ source: 'hashicorp/time', version: '0.13.1' });
  });

  test('is protected from destroy by default: APIs and grant carry prevent_destroy', () => {
    const s = foundation();
    expect(only(s, 'google_project_iam_member').lifecycle).toEqual({ prevent_destroy: true });
    for (const api of Object.values(resources(s, 'google_project_service')) as any[]) expect(api.lifecycle).toEqual({ prevent_destroy: true });
  });

  test('protectFromDestroy: false is the explicit opt-out', () => {
    const s = foundation({ protectFromDestroy: false });
    expect(only(s, 'google_project_iam_member').lifecycle).toEqual({ prevent_destroy: false });
    for (const api of Object.values(resources(s, 'google_project_service')) as any[]) expect(api.lifecycle).toEqual({ prevent_destroy: false });
  });

  test('apis prop and enableApi() add APIs before the wait; enabling twice is one resource', () => {
    const s = synth((stack) => {
      const f = ProjectFoundation.of(stack, { project: 'test-project', apis: ['monitoring.googleapis.com'] });
      const a = f.enableApi('pubsub.googleapis.com');
      expect(f.enableApi('pubsub.googleapis.com')).toBe(a);
    });
    const ids = apiIds(s);
    expect(Object.keys(ids).sort()).toEqual([...REQUIRED_APIS, 'monitoring.googleapis.com', 'pubsub.googleapis.com'].sort());
    expect(only(s, 'time_sleep').triggers['pubsub.googleapis.com']).toBe(`\${google_project_service.${ids['pubsub.googleapis.com']}.id}`);
  });

  describe('a feature API no pipeline needs is forgotten, never destroyed', () => {
    const removedFrom = (s: ReturnType<typeof synth>) => ((s.json as any).removed ?? []) as { from: string; lifecycle: unknown }[];

    test('GIVEN only the required APIS THEN each feature API has a removed block with destroy = false at the address enableApi gives it', () => {
      const bare = foundation();
      const enabled = synth((stack) => {
        const f = ProjectFoundation.of(stack, { project: 'test-project' });
        for (const api of FEATURE_APIS) f.enableApi(api);
      });
      const ids = apiIds(enabled);
      expect(removedFrom(bare)).toEqual(FEATURE_APIS.map((api) => ({ from: `google_project_service.${ids[api]}`, lifecycle: { destroy: false } })));
      expect(removedFrom(enabled)).toEqual([]);
    });

    test('GIVEN Monitoring enabled by the apis prop and Pub/Sub by enableApi THEN only Logging is forgotten, and the enabled two keep their resources', () => {
      const s = synth((stack) => ProjectFoundation.of(stack, { project: 'test-project', apis: ['monitoring.googleapis.com'] }).enableApi('pubsub.googleapis.com'));
      expect(removedFrom(s).map((r) => r.from)).toEqual([expect.stringMatching(/^google_project_service\.[\w-]*_logging_[0-9A-F]{8}$/)]);
      expect(Object.keys(apiIds(s))).toEqual(expect.arrayContaining(['monitoring.googleapis.com', 'pubsub.googleapis.com']));
    });

    test('other APIs are not forgotten: a removed block for an API the foundation never enables would be guessing', () => {
      expect(removedFrom(foundation()).map((r) => r.from).join(' ')).not.toMatch(/cloudtasks|_run_|_iam_|firestore/);
    });
  });

  test.each([
    ['waitSeconds below 0', { waitSeconds: -1 }, /'waitSeconds' must be whole seconds from 0 to 600, got -1/],
    ['waitSeconds above 600', { waitSeconds: 601 }, /'waitSeconds' must be whole seconds from 0 to 600, got 601/],
    ['fractional waitSeconds', { waitSeconds: 1.5 }, /'waitSeconds' must be whole seconds from 0 to 600, got 1.5/],
    ['an API name', { apis: ['monitoring'] }, /'apis' must be service names such as "monitoring.googleapis.com", got "monitoring"/],
    ['a project id', { project: 'Bad_Project' }, /'project' must be a project id/],
  ])('rejects %s with the construct path', (_n, props, message) => {
    expect(() => synth((stack) => ProjectFoundation.of(stack, props as ProjectFoundationProps))).toThrow(/Invalid props for 'test\/CloudTasksServiceAgent[-\w]*'/);
    expect(() => synth((stack) => ProjectFoundation.of(stack, props as ProjectFoundationProps))).toThrow(message);
  });

  test('enableApi rejects a malformed service name', () => {
    expect(() => synth((stack) => ProjectFoundation.of(stack, 'test-project').enableApi('pubsub'))).toThrow(/'enableApi' must be a service name such as "monitoring.googleapis.com", got "pubsub"/);
  });

  test('options for a foundation that already exists are refused, not silently ignored', () => {
    expect(() =>
      synth((stack) => {
        ProjectFoundation.of(stack, 'test-project');
        ProjectFoundation.of(stack, { project: 'test-project', waitSeconds: 120 });
      }),
    ).toThrow(/ProjectFoundation 'test\/CloudTasksServiceAgent-test-project' already exists: pass waitSeconds where it is first created/);
  });

  test('waitSeconds sets the wait', () => {
    expect(only(foundation({ waitSeconds: 120 }), 'time_sleep').create_duration).toBe('120s');
  });

  test('is one per project per stack however often it is looked up; without a project it uses the provider project', () => {
    const s = synth((stack) => {
      expect(ProjectFoundation.of(stack, 'test-project')).toBe(ProjectFoundation.of(stack, 'test-project'));
      ProjectFoundation.of(stack);
    });
    expect(Object.keys(resources(s, 'google_project_iam_member'))).toHaveLength(2);
    expect(Object.values(s.json.data!.google_project).filter((d: any) => d.project_id === undefined)).toHaveLength(1);
  });

  test('requiredBy (same stack): every resource under the scope depends on the wait and the grant, the foundation itself does not', () => {
    const s = synth((stack) => {
      const f = ProjectFoundation.of(stack, 'test-project');
      new ServiceAccount(stack, 'Sa', { accountId: 'worker-sa' });
      f.requiredBy(stack);
      f.requiredBy(stack); // twice: no duplicate entries
    });
    const ready = [`time_sleep.${idOf(s, 'time_sleep')}`, `google_project_iam_member.${idOf(s, 'google_project_iam_member')}`];
    expect(only(s, 'google_service_account').depends_on).toEqual(ready);
    expect(only(s, 'google_project_iam_member').depends_on).toEqual([ready[0], `google_project_service_identity.${idOf(s, 'google_project_service_identity')}`]);
    expect(only(s, 'google_project_service_identity').depends_on).toEqual([ready[0]]);
    expect(only(s, 'time_sleep')).not.toHaveProperty('depends_on');
  });

  test('adoptExisting imports the APIs and the grant at their own addresses (for the upgrade)', () => {
    const s = foundation({ adoptExisting: true });
    const imports = (s.json as any).import as { to: string; id: string }[];
    const ids = apiIds(s);
    const grant = only(s, 'google_project_iam_member');
    expect(imports).toEqual(
      expect.arrayContaining([
        ...REQUIRED_APIS.map((api) => ({ to: `google_project_service.${ids[api]}`, id: `test-project/${api}` })),
        { to: `google_project_iam_member.${idOf(s, 'google_project_iam_member')}`, id: `test-project roles/cloudtasks.serviceAgent ${grant.member}` },
      ]),
    );
    expect(imports).toHaveLength(REQUIRED_APIS.length + 1);
  });

  test('imports nothing by default (an import of something missing fails a fresh project)', () => {
    expect((foundation().json as any).import).toBeUndefined();
  });

  test('requiredBy a scope in another stack goes through one terraform_data anchor there', () => {
    const app = Testing.app();
    const home = new ProjectFoundationStack(app, 'home', { project: 'test-project' });
    const f = home.foundation;
    const other = new TerraformStack(app, 'other');
    f.requiredBy(other);
    f.requiredBy(other);
    app.synth(); // cross-stack references resolve in a full app synth
    const tf = JSON.parse(readFileSync(join(app.outdir, 'stacks', 'other', 'cdk.tf.json'), 'utf8'));
    const anchors = Object.entries<any>(tf.resource.terraform_data);
    expect(anchors).toHaveLength(1);
    expect(anchors[0][1].input.wait).toMatch(/^\$\{data\.terraform_remote_state\.cross-stack-reference-input-home\.outputs\.[\w-]+\}$/);
  });
});
