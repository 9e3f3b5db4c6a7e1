import type pino from 'pino';
import type { Config } from '../config/config.js';
import type { Database } from '../db/database.js';
import { applyProvisioning, formatLine, formatSummary } from './apply.js';
import { loadProvisioningFile } from './load.js';

/**
 * PROVISIONING_FILE at boot: the file is read and checked before the database is opened, and
 * applied before the server listens, so no request ever sees a half-provisioned Hearth ID. A
 * bad file throws ProvisioningError (a ConfigError: the server prints it and exits 1).
 */
export async function prepareBootProvisioning(
  provisioning: NonNullable<Config['provisioning']>,
): Promise<(database: Database, logger: pino.Logger) => Promise<void>> {
  const plan = await loadProvisioningFile(provisioning.file, provisioning.env);
  return async (database, logger) => {
    const report = await applyProvisioning(database, plan);
    for (const line of report.lines) logger.info({ provisioning: line }, `provisioning: ${formatLine(line)}`);
    logger.info(`provisioning file ${plan.file}: ${formatSummary(report)}`);
  };
}
