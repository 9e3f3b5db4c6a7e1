// Server-side visibility: for one config with mixed rules, exactly which pages, sections and
// items each kind of user receives. What a user may not see must not be in the response.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startTestDashboard } from './support/dashboard.js';
import type { TestDashboard } from './support/dashboard.js';
import { startTestProvider } from './support/oidc-provider.js';
import type { TestProvider } from './support/oidc-provider.js';
import { signIn } from './support/sign-in.js';

const CLIENT_ID = 'visibility-client';

function confYml(endpoint: string): string {
  return `pageInfo:
  title: Family Lab
appConfig:
  auth:
    enableGuestAccess: true
    enableOidc: true
    oidc:
      clientId: ${CLIENT_ID}
      endpoint: ${endpoint}
      adminGroup: admins
pages:
  - name: Ops
    path: ops.yml
    displayData:
      showForKeycloakUsers:
        groups: ['admins']
  - name: Team
    path: team.yml
    displayData:
      hideForGuests: true
sections:
  - name: Public
    items:
      - title: Status page
        url: https://status.example.test
      - title: Hidden from interns
        url: https://payroll.example.test
        displayData:
          hideForKeycloakUsers:
            groups: ['interns']
      - title: Members only
        url: https://chat.example.test
        displayData:
          hideForGuests: true
  - name: Internal Tools
    displayData:
      showForKeycloakUsers:
        groups: ['admins']
      hideForKeycloakUsers:
        groups: ['guests']
    items:
      - title: Router
        url: http://192.168.1.1
  - name: Guest Corner
    displayData:
      showForKeycloakUsers:
        groups: ['guests']
    items:
      - title: Wifi code
        url: https://wifi.example.test
  - name: Interns
    displayData:
      showForUsers: ['ivan']
    items:
      - title: Onboarding
        url: https://onboarding.example.test
  - name: Not for Ivan
    displayData:
      hideForUsers: ['IVAN']
    items:
      - title: Budget
        url: https://budget.example.test
        statusCheckHeaders:
          Authorization: Bearer budget-api-key
  - name: Signed-in
    displayData:
      hideForGuests: true
    items:
      - title: Photos
        url: https://photos.example.test
        subItems:
          - title: Albums
            url: https://photos.example.test/albums
          - title: Admin panel
            url: https://photos.example.test/admin
            displayData:
              showForKeycloakUsers:
                groups: ['admins']
`;
}

const TEAM = `sections:
  - name: Team board
    items:
      - title: Kanban
        url: https://kanban.example.test
      - title: Intern tasks
        url: https://kanban.example.test/interns
        displayData:
          showForKeycloakUsers:
            groups: ['interns']
`;

let provider: TestProvider;
let dashboard: TestDashboard;
const tokens: Record<string, string | undefined> = {};

beforeAll(async () => {
  provider = await startTestProvider({
    shape: 'pocket-id',
    clientId: CLIENT_ID,
    accounts: [
      { id: 'alice', claims: { preferred_username: 'alice', groups: ['admins'] } },
      { id: 'gina', claims: { preferred_username: 'gina', groups: ['guests'] } },
      { id: 'ivan', claims: { preferred_username: 'Ivan', groups: ['interns'] } },
    ],
  });
  dashboard = await startTestDashboard({
    config: confYml(provider.issuer),
    files: { 'ops.yml': 'sections:\n  - name: Ops board\n', 'team.yml': TEAM, 'unlisted.yml': 'sections:\n  - name: Drafts\n' },
  });
  for (const id of ['alice', 'gina', 'ivan']) tokens[id] = (await signIn(provider, id)).idToken;
});

afterAll(async () => {
  await dashboard?.stop();
  await provider?.close();
});

interface Shape {
  pages: string[];
  sections: Record<string, string[]>;
}

interface ItemLike {
  title: string;
  subItems?: ItemLike[];
}

function titles(items: ItemLike[] | undefined): string[] {
  return (items ?? []).flatMap((item) => [item.title, ...titles(item.subItems).map((sub) => `${item.title} > ${sub}`)]);
}

async function shapeFor(who: string | undefined): Promise<{ shape: Shape; text: string; view: string | null }> {
  const response = await dashboard.get('/conf.yml', who ? tokens[who] : undefined);
  expect(response.status).toBe(200);
  const text = await response.text();
  const config = parse(text) as { pages?: Array<{ name: string }>; sections?: Array<{ name: string; items?: ItemLike[] }> };
  return {
    text,
    view: response.headers.get('x-hearth-config-view'),
    shape: {
      pages: (config.pages ?? []).map((page) => page.name),
      sections: Object.fromEntries((config.sections ?? []).map((section) => [section.name, titles(section.items)])),
    },
  };
}

describe('server-side visibility', () => {
  it('gives the admin the whole file, as written', async () => {
    const { shape, text, view } = await shapeFor('alice');
    expect(view).toBe('source');
    expect(text).toBe(confYml(provider.issuer));
    expect(shape).toEqual({
      pages: ['Ops', 'Team'],
      sections: {
        Public: ['Status page', 'Hidden from interns', 'Members only'],
        'Internal Tools': ['Router'],
        'Guest Corner': ['Wifi code'],
        Interns: ['Onboarding'],
        'Not for Ivan': ['Budget'],
        'Signed-in': ['Photos', 'Photos > Albums', 'Photos > Admin panel'],
      },
    });
  });

  it('gives a member of "guests" what guests may see', async () => {
    const { shape, text, view } = await shapeFor('gina');
    expect(view).toBe('filtered');
    expect(shape).toEqual({
      pages: ['Team'],
      sections: {
        Public: ['Status page', 'Hidden from interns', 'Members only'],
        'Guest Corner': ['Wifi code'],
        'Not for Ivan': ['Budget'],
        'Signed-in': ['Photos', 'Photos > Albums'],
      },
    });
    for (const hidden of ['192.168.1.1', 'Router', 'onboarding', 'ops.yml', '/admin']) expect(text).not.toContain(hidden);
    // Status-check headers stay on the server even for visible items.
    expect(text).not.toContain('budget-api-key');
  });

  it('gives a member of "interns" (named "Ivan") what interns may see', async () => {
    const { shape, text } = await shapeFor('ivan');
    expect(shape).toEqual({
      pages: ['Team'],
      sections: {
        Public: ['Status page', 'Members only'],
        Interns: ['Onboarding'],
        'Signed-in': ['Photos', 'Photos > Albums'],
      },
    });
    for (const hidden of ['payroll', 'Budget', 'budget', 'wifi', 'Router']) expect(text).not.toContain(hidden);
  });

  it('gives a signed-out guest only what guests may see', async () => {
    const { shape, text, view } = await shapeFor(undefined);
    expect(view).toBe('filtered');
    expect(shape).toEqual({
      pages: [],
      sections: {
        Public: ['Status page', 'Hidden from interns'],
        'Not for Ivan': ['Budget'],
      },
    });
    for (const hidden of ['chat.example', 'photos', 'Onboarding', 'wifi', 'team.yml']) expect(text).not.toContain(hidden);
  });

  it('filters sub-pages too, and refuses hidden or unlisted ones', async () => {
    const team = async (who: string | undefined) => dashboard.get('/team.yml', who ? tokens[who] : undefined);
    const ivan = parse(await (await team('ivan')).text());
    expect(titles(ivan.sections[0].items)).toEqual(['Kanban', 'Intern tasks']);
    const gina = parse(await (await team('gina')).text());
    expect(titles(gina.sections[0].items)).toEqual(['Kanban']);
    expect((await team(undefined)).status).toBe(403);
    expect((await dashboard.get('/ops.yml', tokens.gina)).status).toBe(403);
    expect((await dashboard.get('/ops.yml', tokens.alice)).status).toBe(200);
    expect((await dashboard.get('/unlisted.yml', tokens.ivan)).status).toBe(404);
    expect((await dashboard.get('/unlisted.yml', tokens.alice)).status).toBe(200);
    expect((await dashboard.get('/missing.yml', tokens.alice)).status).toBe(404);
  });
});
