// A populated dashboard, signed in, as people see it: light, dark and on a phone. The pictures
// land in test-results/screenshots (docs/screenshots with UPDATE_SCREENSHOTS=1). Along the
// way: nothing loads from another host but the identity provider, and the phone layout fits.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPerson, screenshot, startSignInSetup, startStandInServices } from './support.js';
import type { SignInSetup, StandInServices } from './support.js';

function conf(issuer: string, services: string, closedPort: number): string {
  return `
pageInfo:
  title: Homelab
  description: Everything running at home
  logo: ${services}/logo.svg
  navLinks:
    - title: Runbook
      path: ${services}/runbook
  footerText: Hearth Dashboard on the home server
appConfig:
  statusCheck: true
  auth:
    enableOidc: true
    oidc:
      clientId: dashboard-client
      endpoint: ${issuer}
      adminGroup: admins
pages:
  - name: Media
    path: media.yml
  - name: Network
    path: network.yml
sections:
  - name: Media
    icon: fas fa-film
    items:
      - { title: Jellyfin, description: Films and series, icon: si-jellyfin, url: '${services}/jellyfin' }
      - { title: Immich, description: Photo library, icon: si-immich, url: '${services}/immich' }
      - { title: Sonarr, icon: si-sonarr, url: '${services}/sonarr' }
      - { title: Radarr, icon: si-radarr, url: '${services}/radarr' }
      - { title: qBittorrent, icon: si-qbittorrent, url: 'http://127.0.0.1:${closedPort}/', description: Stopped for maintenance }
  - name: Infrastructure
    icon: mdi-server
    displayData:
      itemSize: large
    items:
      - { title: Proxmox, description: Hypervisor for the two nodes, icon: si-proxmox, url: '${services}/proxmox' }
      - { title: TrueNAS, description: Storage pool and snapshots, icon: si-truenas, url: '${services}/truenas' }
      - { title: Portainer, description: Containers, icon: si-portainer, url: '${services}/portainer' }
      - { title: Grafana, description: Dashboards and alerts, icon: si-grafana, url: '${services}/grafana', target: workspace }
  - name: Home
    icon: mdi-home
    items:
      - { title: Home Assistant, icon: si-homeassistant, url: '${services}/home-assistant' }
      - { title: Nextcloud, icon: si-nextcloud, url: '${services}/nextcloud' }
      - { title: Paperless, icon: si-paperlessngx, url: '${services}/paperless' }
      - { title: Vaultwarden, icon: si-vaultwarden, url: '${services}/vaultwarden', color: '#ffffff', backgroundColor: '#175ddc' }
  - name: Network
    icon: fas fa-network-wired
    displayData:
      sortBy: alphabetical
    items:
      - { title: Pi-hole, icon: si-pihole, url: '${services}/pihole' }
      - { title: AdGuard, icon: si-adguard, url: '${services}/adguard' }
      - { title: Traefik, icon: si-traefikproxy, url: '${services}/traefik' }
      - title: Monitoring
        subItems:
          - { title: Uptime Kuma, icon: si-uptimekuma, url: '${services}/uptime' }
          - { title: Grafana, icon: si-grafana, url: '${services}/grafana' }
          - { title: Syncthing, icon: si-syncthing, url: '${services}/syncthing' }
  - name: Time
    icon: fas fa-clock
    widgets:
      - type: clock
        options:
          timeZone: Europe/Berlin
          format: en-GB
  - name: Archive
    displayData:
      collapsed: true
    items:
      - { title: Old wiki, icon: fas fa-book, url: '${services}/old-wiki' }
`;
}

describe('screenshots of a populated dashboard', () => {
  let browser: Browser;
  let services: StandInServices;
  let setup: SignInSetup;

  beforeAll(async () => {
    browser = await launchBrowser();
    services = await startStandInServices();
    const closed = await startStandInServices();
    const closedPort = Number(new URL(closed.url).port);
    await closed.close();
    setup = await startSignInSetup(
      { shape: 'pocket-id', clientId: 'dashboard-client', defaultAccountId: 'alice', accounts: [{ id: 'alice', claims: { preferred_username: 'alice', groups: ['admins'] } }] },
      (provider) => conf(provider.issuer, services.url, closedPort),
      { files: { 'media.yml': 'sections: []\n', 'network.yml': 'sections: []\n' } },
    );
  });

  afterAll(async () => {
    await browser?.close();
    await setup?.stop();
    await services?.close();
  });

  for (const shot of [
    { name: 'dashboard-light', colorScheme: 'light' as const, viewport: { width: 1280, height: 860 } },
    { name: 'dashboard-dark', colorScheme: 'dark' as const, viewport: { width: 1280, height: 860 } },
    { name: 'dashboard-phone', colorScheme: 'light' as const, viewport: { width: 390, height: 844 }, screenOnly: true },
  ]) {
    it(`renders ${shot.name} from this server alone`, async () => {
      const person = await openPerson(browser, setup.origin, { colorScheme: shot.colorScheme, viewport: shot.viewport });
      const { page } = person;
      await page.goto(`${setup.origin}/`);
      await page.locator('[data-username]').waitFor();
      await page.locator('[data-status="down"]').waitFor();
      await page.locator('[data-status="up"]').first().waitFor();
      await page.locator('header img[src^="blob:"]').waitFor();
      await page.waitForLoadState('networkidle');
      await page.evaluate(() => document.fonts.ready);
      await screenshot(page, shot.name, { fullPage: !shot.screenOnly });

      // blob: URLs are images the app fetched from its own server with the ID token.
      const elsewhere = person.requests.filter(
        (request) => !request.url.startsWith(setup.origin) && !request.url.startsWith(`blob:${setup.origin}/`) && !request.url.startsWith(setup.provider.issuer),
      );
      expect(elsewhere.map((request) => request.url)).toEqual([]);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow).toBe(0);
      expect(person.errors).toEqual([]);
      await person.context.close();
    });
  }
});
