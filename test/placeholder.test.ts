// One placeholder rule for the app, synth and the producer CLI (limits/placeholder.ts).
import { DEFAULT_SETTINGS } from '../config';
import { isPlaceholderProject, PLACEHOLDER_PROJECT, placeholderProjectMessage } from '../limits';

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
