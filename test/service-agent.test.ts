import { CloudTasksServiceAgent, REQUIRED_APIS } from '../constructs';
import { only, resources, synth } from './helpers';

describe('CloudTasksServiceAgent', () => {
  test('binds roles/cloudtasks.serviceAgent to the agent built from the project number', () => {
    const s = synth((stack) => CloudTasksServiceAgent.of(stack, 'test-project'));
    const binding = only(s, 'google_project_iam_member');
    expect(binding.role).toBe('roles/cloudtasks.serviceAgent');
    expect(binding.member).toMatch(
      /^serviceAccount:service-\$\{data\.google_project\.[\w-]+\.number\}@gcp-sa-cloudtasks\.iam\.gserviceaccount\.com$/,
    );
  });

  test('reads the project number from the google_project data source for that project', () => {
    const s = synth((stack) => CloudTasksServiceAgent.of(stack, 'test-project'));
    const data = Object.entries(s.json.data!.google_project);
    expect(data).toHaveLength(1);
    const [id, body] = data[0];
    expect(body.project_id).toBe('test-project');
    expect(only(s, 'google_project_iam_member').member).toContain(`data.google_project.${id}.number`);
  });

  test('enables the APIs without disabling them on destroy, and the binding waits for Cloud Tasks', () => {
    const s = synth((stack) => CloudTasksServiceAgent.of(stack, 'test-project'));
    const apis = resources(s, 'google_project_service');
    expect(Object.values(apis).map((a: any) => a.service).sort()).toEqual([...REQUIRED_APIS].sort());
    for (const api of Object.values(apis)) expect((api as any).disable_on_destroy).toBe(false);
    const cloudtasksId = Object.entries(apis).find(([, a]: any) => a.service === 'cloudtasks.googleapis.com')![0];
    expect(only(s, 'google_project_iam_member').depends_on).toEqual([`google_project_service.${cloudtasksId}`]);
  });

  test('is one per project per stack however often it is looked up', () => {
    const s = synth((stack) => {
      const a = CloudTasksServiceAgent.of(stack, 'test-project');
      const b = CloudTasksServiceAgent.of(stack, 'test-project');
      expect(a).toBe(b);
      CloudTasksServiceAgent.of(stack, 'other-project');
    });
    expect(Object.keys(resources(s, 'google_project_iam_member'))).toHaveLength(2);
    expect(Object.keys(s.json.data!.google_project)).toHaveLength(2);
  });

  test('without a project it uses the provider project', () => {
    const s = synth((stack) => CloudTasksServiceAgent.of(stack));
    expect(Object.values(s.json.data!.google_project)[0]).not.toHaveProperty('project_id');
  });
});
