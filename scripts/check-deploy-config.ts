/**
 * `npm run deploy` runs this before `cdktf deploy`: a config mistake (the placeholder project, among others) is
 * printed once. Left to cdktf, an app's error shows twice: streamed as it runs, then again in cdktf's summary.
 */
import { loadConfig } from '../config';

try {
  loadConfig();
} catch (e) {
  console.error((e as Error).message);
  process.exit(1);
}
