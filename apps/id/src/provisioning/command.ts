import type { Command } from 'commander';
import type { Config } from '../config/config.js';
import type { Database } from '../db/database.js';

type WithDatabase = <T>(fn: (database: Database, config: Config) => Promise<T>) => Promise<T>;

/**
 * `hearth-id provision <file> [--dry-run]`: applies a provisioning file now, as the server
 * does at boot. One line per entry on stdout, then a summary; problems on stderr, exit 1.
 */
export function registerProvisionCommand(program: Command, withDatabase: WithDatabase): void {
  program
    .command('provision')
    .description('apply a provisioning file of groups, users and OIDC clients (see docs/provisioning.md)')
    .argument('<file>', 'the YAML file')
    .option('--dry-run', 'report what would change, and change nothing')
    .action(async (file: string, options: { dryRun?: boolean }) => {
      // Loaded only for this command: the server does not carry the YAML parser unless it needs it.
      const [{ loadProvisioningFile }, { applyProvisioning, formatLine, formatSummary }] = await Promise.all([import('./load.js'), import('./apply.js')]);
      // Checked (secrets read too) before the database is opened: a bad file touches nothing.
      const plan = await loadProvisioningFile(file, process.env);
      await withDatabase(async (database) => {
        const report = await applyProvisioning(database, plan, { dryRun: options.dryRun });
        for (const line of report.lines) console.log(formatLine(line));
        console.log(formatSummary(report));
      });
    });
}
