// Hearth runs on Node.js 24 (package.json "engines"). On Linux x64 and arm64, `npm ci` installs
// that Node.js under node_modules and npm scripts run on it whatever the system's Node.js is;
// elsewhere the system's Node.js must be new enough itself. Say so plainly instead of failing
// later on a missing `node:sqlite` feature or a dependency's syntax.
import { readFileSync } from 'node:fs';

const MINIMUM = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).engines.node.replace(/^>=\s*/, '');

export function assertNodeVersion() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  const [needMajor, needMinor = 0] = MINIMUM.split('.').map(Number);
  if (major > needMajor || (major === needMajor && minor >= needMinor)) return;
  console.error(
    `Hearth needs Node.js ${MINIMUM} or newer; this is ${process.version} (${process.execPath}).\n` +
      '  On Linux x64 and arm64, `npm ci` installs Node.js 24 into node_modules: run the command through npm ' +
      '(npm start, npm test). Elsewhere, install Node.js 24 LTS.',
  );
  process.exit(1);
}
