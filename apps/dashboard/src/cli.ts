// `hearth-dashboard`: read the environment, build the server, listen, and stop cleanly.
// Every startup problem ends in one line on stderr and a non-zero exit. With arguments
// (`--help`, `--version`, `validate <file>`), the command line in command-line.ts answers;
// it is loaded only then, so serving costs nothing for it.
import { pino } from 'pino';
import { readDashboardEnv } from './config/env.js';
import { createDashboardServer } from './server.js';

export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  if (argv.length === 0) return serve();
  const { runCommandLine } = await import('./command-line.js');
  process.exitCode = await runCommandLine(argv, serve);
}

/** Runs the server until SIGTERM or SIGINT. */
export async function serve(): Promise<void> {
  let env;
  try {
    env = readDashboardEnv(process.env, process.cwd());
  } catch (error) {
    fail(error);
  }
  const logger = pino({ level: env.logLevel, base: { app: 'hearth-dashboard' } });
  let app;
  try {
    app = await createDashboardServer({
      userDataDir: env.userDataDir,
      logger,
      trustProxy: env.trustProxy,
      ...(env.dashboardIconsUrl ? { dashboardIconsUrl: env.dashboardIconsUrl } : {}),
      ...(env.metrics ? { metrics: env.metrics } : {}),
    });
    await app.listen({ port: env.port, host: env.host });
  } catch (error) {
    fail(error);
  }

  let stopping = false;
  const stop = (signal: string) => {
    // A second signal means "now": do not wait for open requests.
    if (stopping) process.exit(1);
    stopping = true;
    logger.info(`${signal} received, closing`);
    app.close().then(
      () => process.exit(0),
      (error: unknown) => fail(error),
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

function fail(error: unknown): never {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`hearth-dashboard: ${message}\n`);
  process.exit(1);
}
