// The dashboard as a library: what the CLI uses, and what tests across both apps use to
// start a dashboard on a folder of their own.
export { createDashboardServer } from './server.js';
export type { DashboardServerOptions } from './server.js';
export { startDashboard } from './start.js';
export type { RunningDashboard, StartDashboardOptions } from './start.js';
export { ConfigError, ConfigStore, ROOT_CONFIG_FILE, readConfigFile } from './config/store.js';
export type { LoadedConfig } from './config/store.js';
export { parseConfigText, describeIssues } from './config/parse.js';
export type { ConfigIssue, ParseResult } from './config/parse.js';
export { dashyConfigSchema } from './config/schema.js';
export type { DashyConfig, DashyItem, DashyPage, DashySection, DisplayData } from './config/schema.js';
export { dashboardJsonSchema } from './config/json-schema.js';
export { readDashboardEnv } from './config/env.js';
export { loadOidcSettings, loadAuthSettings } from './auth/settings.js';
export type { AuthSettings, OidcSettings } from './auth/settings.js';
export { deriveIsAdmin, identityFromClaims } from './auth/claims.js';
export type { Identity } from './auth/claims.js';
export { bootstrapConfig } from './auth/bootstrap.js';
export { filterConfigForViewer } from './visibility/filter.js';
export { isVisibleTo } from './visibility/rules.js';
export type { Viewer } from './visibility/rules.js';
export { ConfigSaver, BACKUP_DIR } from './saving/save.js';
export type { SaveResult } from './saving/save.js';
