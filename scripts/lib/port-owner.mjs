// Finds out, before anything is built or started, whether a port is free, and if not, which
// process holds it (Linux: /proc; elsewhere only "in use").
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import net from 'node:net';

/** Resolves to null when `port` can be listened on at `host`, else to the error code (EADDRINUSE, EACCES, ...). */
export function portProblem(port, host = '0.0.0.0') {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', (error) => resolve(error.code ?? error.message));
    server.listen({ port: Number(port), host, exclusive: true }, () => server.close(() => resolve(null)));
  });
}

/** `node apps/id/bin/hearth-id.js (pid 1234)`, or null when it cannot be told. */
export function portOwner(port) {
  try {
    const inodes = listeningInodes(Number(port));
    if (inodes.size === 0) return null;
    for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
      let fds;
      try {
        fds = readdirSync(`/proc/${pid}/fd`);
      } catch {
        continue; // gone, or another user's process
      }
      for (const fd of fds) {
        let target;
        try {
          target = readlinkSync(`/proc/${pid}/fd/${fd}`);
        } catch {
          continue;
        }
        const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
        if (inode && inodes.has(inode)) {
          const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).map(shorten).join(' ');
          return `${command || 'a process'} (pid ${pid})`;
        }
      }
    }
  } catch {
    // no /proc: not Linux
  }
  return null;
}

/** Socket inodes listening on the port, from /proc/net/tcp and tcp6 (state 0A = LISTEN). */
function listeningInodes(port) {
  const inodes = new Set();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10 || fields[3] !== '0A') continue;
      if (Number.parseInt(fields[1].split(':')[1], 16) === port) inodes.add(fields[9]);
    }
  }
  return inodes;
}

/** The last two parts of a long path, so the line stays readable. */
function shorten(arg) {
  const parts = arg.split('/');
  return parts.length > 4 ? parts.slice(-4).join('/') : arg;
}
