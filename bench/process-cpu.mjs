import { readFileSync } from 'node:fs';

/**
 * CPU seconds a process has used (user + system, from /proc): what a request costs the server
 * whatever else the machine is doing, where req/s also depends on what the load generator and
 * other processes leave over. Null where /proc is not there.
 */
export function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}
