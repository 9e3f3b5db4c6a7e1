// The provisioning file `npm start` writes for its own wiring: the dashboard's OIDC client and
// the `admins` group its conf.yml names. Hearth ID applies it at boot (PROVISIONING_FILE).
// Both entries are `ifMissing`: created on the first start, then left exactly as an admin
// changed them, like `create-group`/`create-client --if-missing`; only a change of APP_URL or
// DASHBOARD_URL sets the client again, to the new URLs.
import { writeFileSync } from 'node:fs';

export const DASHBOARD_CLIENT_ID = 'hearth-dashboard';

/**
 * The file's text. Strings go in as JSON, which is valid YAML whatever they hold. With
 * `urlsChanged` (APP_URL or DASHBOARD_URL differ from the last start), the client is set to
 * this entry even though it exists, so its callback and logout URLs follow the new addresses.
 */
export function startProvisioningYaml({ appUrl, dashboardUrl, clientId = DASHBOARD_CLIENT_ID, urlsChanged = false }) {
  const text = JSON.stringify;
  return `# yaml-language-server: $schema=${appUrl}/provisioning.schema.json
# Written by \`npm start\` on every start: edits here are lost. Change the group and the client in
# the admin screens (they are only created when missing), or set PROVISIONING_FILE to your own file.
groups:
  - friendlyName: admins
    name: Dashboard admins
    ifMissing: true
clients:
  - clientId: ${text(clientId)}
    name: Hearth Dashboard
    callbackUrls: [${text(dashboardUrl)}, ${text(`${dashboardUrl}/`)}]
    logoutCallbackUrls: [${text(dashboardUrl)}]
    isPublic: true
    trusted: true
${urlsChanged ? '' : '    ifMissing: true\n'}`;
}

/** Writes the file (private to the data folder's owner) and returns nothing: the caller knows the path. */
export function writeStartProvisioning(file, options) {
  writeFileSync(file, startProvisioningYaml(options), { mode: 0o600 });
}
