// One placeholder rule for the app, synth and the producer CLI (limits/placeholder.ts).
import { DEFAULT_SETTINGS, resolveConfig } from '../config';
import { SAMPLE_IMAGE } from '../constructs/task-handler-service';
import { isPlaceholderImage, isPlaceholderProject, PLACEHOLDER_IMAGE, PLACEHOLDER_PROJECT, placeholderProjectMessage } from '../limits';

describe('the placeholder project rule', () => {
  test('GIVEN zero config THEN the app default project is the placeholder', () => {
    expect(isPlaceholderProject(DEFAULT_SETTINGS.project)).toBe(true);
  });

  test.each(['acme-orders-prod', 'my-gcp-project-2', undefined])('GIVEN project %s THEN it is not the placeholder', (project) => {
    expect(isPlaceholderProject(project)).toBe(false);
  });

  test('the message names what targets it and the placeholder', () => {
    expect(placeholderProjectMessage('environment "dev"')).toBe(`environment "dev" uses the placeholder project "${PLACEHOLDER_PROJECT}"`);
  });
});

describe('the placeholder image: Google\'s hello sample acknowledges and drops every task', () => {
  const IMAGE = 'europe-docker.pkg.dev/acme/handlers/orders:1.0';
  const DEPLOY = { PIPELINE_DEPLOY: '1' };
  const errorOf = (file: unknown, env: Record<string, string>) => {
    try {
      resolveConfig(file, env);
    } catch (e) {
      return (e as Error).message;
    }
    return '';
  };

  test('the construct default is the placeholder image', () => {
    expect(SAMPLE_IMAGE).toBe(PLACEHOLDER_IMAGE);
  });

  test.each([
    [undefined, true],
    [PLACEHOLDER_IMAGE, true],
    [IMAGE, false],
  ])('isPlaceholderImage(%s) is %s', (image, expected) => {
    expect(isPlaceholderImage(image)).toBe(expected);
  });

  test('GIVEN zero config WHEN synthesized THEN one warning names both placeholders, the project and the image', () => {
    const { warnings } = resolveConfig({}, {});
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^WARNING: environment "dev" uses the placeholder project "my-gcp-project" \(.*\), and the placeholder handler image us-docker\.pkg\.dev\/cloudrun\/container\/hello for handler "tasks" \(context\.pipeline\.handler\.image \(not set: default\)\): Google's "hello" sample answers 200 to every task, so every task is acknowledged and lost\./);
    expect(warnings[0]).toMatch(/Set .*PIPELINE_PROJECT, and handlerImage \(PIPELINE_HANDLER_IMAGE\) or each handler's image before deploying; npm run deploy refuses placeholders unless PIPELINE_ALLOW_PLACEHOLDER=1\.$/);
  });

  test('GIVEN a real project and no image WHEN synthesized THEN the one warning is about the image only', () => {
    const { warnings } = resolveConfig({ project: 'acme-orders-dev' }, {});
    expect(warnings).toEqual([
      'WARNING: environment "dev" uses the placeholder handler image us-docker.pkg.dev/cloudrun/container/hello for handler "tasks" (context.pipeline.handler.image (not set: default)): ' +
        'Google\'s "hello" sample answers 200 to every task, so every task is acknowledged and lost. ' +
        "Set handlerImage (PIPELINE_HANDLER_IMAGE) or each handler's image before deploying; npm run deploy refuses placeholders unless PIPELINE_ALLOW_PLACEHOLDER=1.",
    ]);
  });

  test('GIVEN the placeholder project and a real image WHEN synthesized THEN the one warning is about the project only', () => {
    const { warnings } = resolveConfig({ handlerImage: IMAGE }, {});
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).not.toMatch(/image/);
  });

  test('GIVEN npm run deploy and no image WHEN resolved THEN it refuses, naming where to set the image', () => {
    expect(errorOf({ project: 'acme-orders-dev' }, DEPLOY)).toMatch(
      /'context\.pipeline\.handler\.image \(not set: default\)' must be your handler image for handler "tasks" of environment "dev" before deploying \(Google's "hello" sample answers 200 to every task, so every task is acknowledged and lost; set PIPELINE_ALLOW_PLACEHOLDER=1 to deploy it anyway\), got "us-docker\.pkg\.dev\/cloudrun\/container\/hello"/,
    );
  });

  test('GIVEN npm run deploy and the hello image written out WHEN resolved THEN it refuses it at the setting', () => {
    expect(errorOf({ project: 'acme-orders-dev', handlerImage: PLACEHOLDER_IMAGE }, DEPLOY)).toMatch(/'context\.pipeline\.handlerImage' must be your handler image/);
  });

  test('GIVEN npm run deploy and a shared handler without an image WHEN resolved THEN it names that handler', () => {
    const file = { project: 'acme-orders-dev', handlers: { orders: {} }, queues: { fast: { handler: 'orders' }, mail: { handler: { image: IMAGE } } } };
    const message = errorOf(file, DEPLOY);
    expect(message).toMatch(/'context\.pipeline\.handlers\.orders\.image \(not set: default\)' must be your handler image for handler "orders" of environment "dev"/);
    expect(message).not.toMatch(/handler "mail"/);
  });

  test('GIVEN npm run deploy with PIPELINE_ALLOW_PLACEHOLDER=1 WHEN resolved THEN both placeholders are allowed, still with the one warning', () => {
    const { warnings } = resolveConfig({ stateBucket: 'acme-tf-state' }, { ...DEPLOY, PIPELINE_ALLOW_PLACEHOLDER: '1' });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/placeholder project .* and the placeholder handler image/);
  });

  test('GIVEN npm run deploy with a real project and image WHEN resolved THEN it goes on', () => {
    expect(resolveConfig({ project: 'acme-orders-dev', handlerImage: IMAGE, stateBucket: 'acme-tf-state' }, DEPLOY).warnings).toEqual([]);
  });
});
