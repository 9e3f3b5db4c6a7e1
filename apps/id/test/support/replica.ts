import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BIN } from './cli.js';

const BUILT = fileURLToPath(new URL('../../dist/program/main.js', import.meta.url));

/** A Hearth ID server running as its own process: the built `hearth-id` binary, as deployed. */
export interface ReplicaProcess {
  name: string;
  port: number;
  /** Everything the process printed (JSON log lines), for the test to read. */
  output(): string;
  /** Ends the process at once, as a crash or an OOM kill would: no shutdown, no goodbyes. */
  kill(): Promise<void>;
  /** Asks the process to shut down (SIGTERM) and waits for it. */
  stop(): Promise<void>;
}

async function waitForHealth(port: number, child: ChildProcess, output: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the replica exited with ${child.exitCode}:\n${output()}`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/healthz`);
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the replica did not become healthy within ${timeoutMs} ms:\n${output()}`);
}

/** Starts `hearth-id` with exactly this environment (plus PATH) and waits until /healthz answers 200. */
export async function startReplica(name: string, port: number, env: Record<string, string>): Promise<ReplicaProcess> {
  if (!existsSync(BUILT)) throw new Error('apps/id is not built: run `npm run build` first');
  const child = spawn(process.execPath, [BIN], {
    env: { PATH: process.env.PATH ?? '', ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const read = () => output;
  try {
    await waitForHealth(port, child, read, 60_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    name,
    port,
    output: read,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
