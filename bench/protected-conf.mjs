// The protected /conf.yml rows: a 100-item conf.yml (about 22 KB) signed in through the local
// issuer of serve.mjs, with visibility rules on sections and items so that a member's view is
// filtered, and the ID tokens of an admin and of a member.
import http from 'node:http';

export const CLIENT_ID = 'bench-dashboard';

/**
 * Dashy's own server (4.0.6, Express serving conf.yml with no token check), measured with wrk
 * on the same kind of machine against bare node:http serving the same bytes: 3,520 against
 * 31,105 req/s. Not run here (it needs its own build and dependencies); a recorded ratio.
 */
export const DASHY_RECORDED = { rate: 3520, bare: 31105 };

const SECTION_RULES = [
  null,
  { hideForGuests: true },
  { showForKeycloakUsers: { groups: ['family', 'admins'] } },
  null,
  { hideForKeycloakUsers: { groups: ['kids'] } },
  { showForKeycloakUsers: { groups: ['admins'] } },
  null,
  { showForUsers: ['alice'] },
  { hideForKeycloakUsers: { groups: ['family'] } },
  null,
];

const ITEM_RULES = [null, null, { showForUsers: ['alice', 'bob'] }, null, { hideForKeycloakUsers: { groups: ['guests'] } }, null, null, { showForKeycloakUsers: { groups: ['admins'] } }, null, null];

/** JSON is YAML too: the rules in flow style. */
function yamlRules(rules, indent) {
  return rules ? `${indent}displayData: ${JSON.stringify(rules)}\n` : '';
}

export function protectedConfig(issuer) {
  const sections = SECTION_RULES.map((rules, s) => {
    const items = ITEM_RULES.map((itemRules, i) =>
      [
        `      - title: Service ${s}.${i}\n`,
        `        description: ${['Media', 'Backup', 'Network', 'Home'][i % 4]} service ${i} of section ${s}, on the LAN\n`,
        `        icon: hl-${['jellyfin', 'nextcloud', 'pihole', 'homeassistant', 'grafana'][i % 5]}\n`,
        `        url: https://service-${s}-${i}.home.example.lan:${8000 + i}/\n`,
        `        tags: [lan, s${s}]\n`,
        yamlRules(itemRules, '        '),
      ].join(''),
    );
    return `  - name: Section ${s}\n    icon: fas fa-server\n${yamlRules(rules, '    ')}    items:\n${items.join('')}`;
  });
  return `pageInfo:
  title: Bench Lab
  description: A homelab of 100 services
  navLinks:
    - title: Docs
      path: https://docs.example.lan
appConfig:
  theme: nord
  layout: auto
  iconSize: medium
  disableConfigurationForNonAdmin: true
  auth:
    enableOidc: true
    oidc:
      clientId: ${CLIENT_ID}
      endpoint: ${issuer}
      adminGroup: admins
      scope: openid profile email groups
sections:
${sections.join('')}`;
}

export const ADMIN_CLAIMS = { sub: 'alice', aud: CLIENT_ID, preferred_username: 'alice', email: 'alice@example.lan', groups: ['admins', 'family'] };
export const MEMBER_CLAIMS = { sub: 'bob', aud: CLIENT_ID, preferred_username: 'bob', email: 'bob@example.lan', groups: ['family'] };

/** An ID token from serve.mjs's issuer carrying these claims. */
export function idToken(issuer, claims) {
  return new Promise((resolve, reject) => {
    http
      .get(`${issuer}/bench/id-token?claims=${encodeURIComponent(JSON.stringify(claims))}`, { agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`issuer answered ${res.statusCode}`))));
      })
      .on('error', reject);
  });
}
