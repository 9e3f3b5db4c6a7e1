// The `hearth-dashboard` command line beyond serving: help, version, and `validate`, which
// checks conf.yml files with the same rules and line-numbered messages as a save.
import { readFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { packageRoot } from '@hearth/server-kit';
import { Command, CommanderError, Option } from 'commander';
import { parseConfigText, type ConfigIssue } from './config/parse.js';
import type { DashyConfig } from './config/schema.js';
import { DEFAULT_MAX_CONFIG_BYTES } from './saving/save.js';

/** Exit codes, as documented in docs/dashboard-server.md. */
export const EXIT = { ok: 0, invalid: 1, usage: 2 } as const;

const ENVIRONMENT = `
Environment (the server reads nothing else):
  USER_DATA_DIR          folder with conf.yml, page files and item-icons (default: ./user-data)
  PORT                   port to listen on (default: 4000)
  HOST                   address to listen on (default: 0.0.0.0)
  LOG_LEVEL              fatal, error, warn, info, debug, trace or silent (default: info)
  TRUST_PROXY            true when a reverse proxy sets X-Forwarded-* (default: false)
  DASHBOARD_ICONS_URL    base URL of dashboard-icons for hl- icons
  METRICS_PORT           serve Prometheus metrics at /metrics on this port (default: off)
  METRICS_HOST           address METRICS_PORT listens on (default: 127.0.0.1)

Exit codes: 0 success, 1 invalid file or startup problem, 2 wrong usage.`;

function version(): string {
  const pkg = JSON.parse(readFileSync(join(packageRoot(import.meta.url, '@hearth/dashboard'), 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

/** Parses argv and runs the command; resolves to the exit code. */
export async function runCommandLine(argv: readonly string[], serve: () => Promise<void>): Promise<number> {
  let code: number = EXIT.ok;
  const program = new Command()
    .name('hearth-dashboard')
    .description('Hearth Dashboard: your homelab\'s services from a Dashy-compatible conf.yml. With no command, runs the server.')
    .version(version(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show this help')
    .addHelpText('after', ENVIRONMENT)
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (text) => process.stdout.write(text), writeErr: (text) => process.stderr.write(text) });

  program
    .command('start')
    .description('run the server (the default)')
    .action(serve);

  program
    .command('validate')
    .description('check conf.yml files as a save would: errors and warnings with their line, exit code 1 when a file is invalid')
    .argument('<files...>', 'conf.yml or page files')
    .addOption(new Option('--strict', 'treat warnings as errors too (a save refuses warnings a file did not have before)'))
    .action(async (files: string[], options: { strict?: boolean }) => {
      for (const file of files) {
        if (!(await validateFile(file, options.strict === true))) code = EXIT.invalid;
      }
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here too, with exit code 0.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    throw error;
  }
  return code;
}

/** Prints what is wrong with one file; true when it is valid. */
async function validateFile(file: string, strict: boolean): Promise<boolean> {
  const text = await readText(file);
  if (typeof text !== 'string') {
    process.stderr.write(`${file}: ${text.problem}\n`);
    return false;
  }
  const result = parseConfigText(text);
  const errors = result.ok ? [] : result.errors;
  const warnings = result.warnings;
  for (const issue of errors) process.stdout.write(describe(file, 'error', issue));
  for (const issue of warnings) process.stdout.write(describe(file, 'warning', issue));
  const failed = errors.length > 0 || (strict && warnings.length > 0);
  const counts = [plural(errors.length, 'error'), plural(warnings.length, 'warning')].join(', ');
  if (result.ok && !failed) process.stdout.write(`${file}: valid (${summary(result.config)}${warnings.length > 0 ? `; ${plural(warnings.length, 'warning')}` : ''})\n`);
  else process.stdout.write(`${file}: invalid (${counts}${strict && warnings.length > 0 ? ', warnings count with --strict' : ''})\n`);
  return !failed;
}

async function readText(file: string): Promise<string | { problem: string }> {
  try {
    const info = await stat(file);
    if (info.isDirectory()) return { problem: 'is a folder, not a file' };
    if (info.size > DEFAULT_MAX_CONFIG_BYTES) return { problem: `is larger than ${DEFAULT_MAX_CONFIG_BYTES} bytes, the most the server reads or saves` };
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { problem: 'file not found' };
    if (code === 'EACCES') return { problem: 'not allowed to read it' };
    return { problem: `cannot read it (${code ?? (error as Error).message})` };
  }
}

/** `conf.yml:5:39: error: sections[0].name: ...`, the form editors and terminals link to. */
function describe(file: string, kind: 'error' | 'warning', issue: ConfigIssue): string {
  const where = issue.line ? `:${issue.line}${issue.column ? `:${issue.column}` : ''}` : '';
  return `${file}${where}: ${kind}: ${issue.path ? `${issue.path}: ` : ''}${issue.message}\n`;
}

function summary(config: DashyConfig): string {
  const sections = config.sections ?? [];
  const items = sections.reduce((sum, section) => sum + (section.items?.length ?? 0), 0);
  const pages = config.pages?.length ?? 0;
  return [pages > 0 ? plural(pages, 'page') : null, plural(sections.length, 'section'), plural(items, 'item')].filter(Boolean).join(', ');
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
