/** @deprecated Moved to ./project-foundation (kept so existing imports keep working). */
export { CloudTasksServiceAgent, REQUIRED_APIS } from './project-foundation';
