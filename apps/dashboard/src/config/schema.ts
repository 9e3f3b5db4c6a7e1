// The one description of Dashy's conf.yml that Hearth trusts: it validates at boot and on
// save, gives the TypeScript types, and is exported as the JSON Schema editors use.
// Every object is `.loose()`: a Dashy user's file must round-trip unchanged, including keys
// Hearth does not know (newer Dashy options, widgets, custom fields).
import { z } from 'zod';
import { isLocalPagePath } from './page-path.js';

/** Schemes a browser runs, or renders as a document of its own, instead of opening a service. */
const UNSAFE_SCHEME = /^(javascript|data|vbscript):/i;

/** Whether a link would run code in the dashboard when opened (`javascript:alert(1)`). */
export function unsafeLinkScheme(value: string): string | null {
  // Browsers skip control characters and spaces around a URL, and tabs and newlines inside it.
  const squeezed = [...value].filter((char) => char.charCodeAt(0) > 0x20).join('');
  return UNSAFE_SCHEME.exec(squeezed)?.[1]?.toLowerCase() ?? null;
}

/**
 * A link as Dashy takes it: any scheme (https, ssh, smb, ...), a path on this host, `#`, or
 * a bare host name for `target: clipboard`. Empty means no link. A link that would run code
 * is never served: the reader leaves it out and warns.
 */
const link = z
  .string()
  .refine((value) => unsafeLinkScheme(value) === null, {
    error: (issue) => `a ${unsafeLinkScheme(String(issue.input))}: link could run code in the dashboard`,
  })
  .transform((value) => (value === '' ? undefined : value));
const httpUrl = z
  .string()
  .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), {
    error: 'expected an http(s) URL',
  });
const strings = z.array(z.string());

const groupsAndRoles = z
  .object({ groups: strings.optional(), roles: strings.optional() })
  .loose();

/** Shared by pages, sections and items: where they show, and for whom. */
export const displayDataSchema = z
  .object({
    sortBy: z.enum(['default', 'most-used', 'last-used', 'alphabetical', 'reverse-alphabetical', 'random']).optional(),
    rows: z.number().int().optional(),
    cols: z.number().int().optional(),
    collapsed: z.boolean().optional(),
    cutToHeight: z.boolean().optional(),
    color: z.string().optional(),
    customStyles: z.string().optional(),
    itemSize: z.enum(['small', 'medium', 'large']).optional(),
    sectionLayout: z.enum(['auto', 'grid']).optional(),
    itemCountX: z.number().int().optional(),
    itemCountY: z.number().int().optional(),
    hideForUsers: strings.optional().describe('Hidden from these users, and from tokens without preferred_username (names compare case-insensitively).'),
    showForUsers: strings.optional().describe('Shown only to these signed-in users (their preferred_username; never email).'),
    hideForGuests: z.boolean().optional().describe('Hidden from signed-out visitors.'),
    hideForKeycloakUsers: groupsAndRoles.optional().describe('Hidden from users with any of these groups or roles (any OIDC provider); also hidden when the token lacks the groups (or roles) claim.'),
    showForKeycloakUsers: groupsAndRoles.optional().describe('Shown only to users with one of these groups or roles (any OIDC provider).'),
  })
  .loose()
  .meta({ id: 'displayData' });

const OPENING_METHODS = ['newtab', 'sametab', 'parent', 'top', 'modal', 'workspace', 'clipboard', 'newwindow'] as const;

const itemFields = {
  title: z.string().optional(),
  description: z.string().optional(),
  icon: z.string().optional(),
  url: link.optional().describe('Any scheme, a path on this host or `#`; javascript:, data: and vbscript: links are never served.'),
  target: z.enum(OPENING_METHODS).optional().describe('How the item opens; Dashy\'s default is newtab.'),
  hotkey: z.number().int().optional(),
  tags: strings.optional(),
  id: z.string().optional(),
  color: z.string().optional(),
  backgroundColor: z.string().optional(),
  provider: z.string().optional(),
  statusCheck: z.boolean().optional(),
  statusCheckUrl: link.optional(),
  statusCheckHeaders: z.record(z.string(), z.string()).optional().describe('Headers sent with status checks; never sent to browsers.'),
  statusCheckAllowInsecure: z.boolean().optional().describe('Accept self-signed TLS certificates when checking.'),
  statusCheckAcceptCodes: z.union([z.string(), z.number().int()]).optional().describe('HTTP codes counted as up besides 2xx, e.g. "401, 403".'),
  statusCheckMaxRedirects: z.number().int().min(0).optional().describe('Redirects followed when checking (default 3, at most 10).'),
  statusCheckAllowOffOriginRedirects: z
    .boolean()
    .optional()
    .describe('Follow redirects to another scheme, host or port when checking (off by default); statusCheckHeaders are never sent there.'),
  displayData: displayDataSchema.optional(),
};

export interface DashyItem extends z.infer<z.ZodObject<typeof itemFields>> {
  subItems?: DashyItem[];
  [key: string]: unknown;
}

export const itemSchema: z.ZodType<DashyItem> = z
  .object({
    ...itemFields,
    get subItems() {
      return z.array(itemSchema).optional();
    },
  })
  .loose()
  .meta({ id: 'item' });

const widgetSchema = z
  .object({
    type: z.string(),
    options: z.object({ url: link.optional() }).loose().optional().describe('Settings of the widget type.'),
  })
  .loose();

export const sectionSchema = z
  .object({
    name: z.string(),
    icon: z.string().optional(),
    displayData: displayDataSchema.optional(),
    items: z.array(itemSchema).optional(),
    widgets: z.array(widgetSchema).optional(),
  })
  .loose();

export const pageSchema = z
  .object({
    name: z.string(),
    path: z
      .string()
      .refine((value) => isLocalPagePath(value) || httpUrl.safeParse(value).success, {
        error: 'expected a .yml file inside the user data folder (like work.yml or sub/work.yml), or an http(s) URL',
      })
      .describe('A .yml file in the user data folder or a sub-folder of it (`work.yml`, `/sub/work.yml`), or an http(s) URL.'),
    displayData: displayDataSchema.optional(),
  })
  .loose();

const oidcSchema = z
  .object({
    clientId: z.string().min(1).describe('The client ID registered at the provider.'),
    endpoint: httpUrl.describe('The issuer URL, exactly as the provider writes it in tokens (its APP_URL).'),
    adminGroup: z.string().optional().describe('Members of this group (the `groups` claim) are admins.'),
    adminRole: z.string().optional().describe('Holders of this role (realm_access / resource_access) are admins.'),
    scope: z.string().optional().describe('Scopes the browser requests; include `groups` for adminGroup.'),
  })
  .loose();

const keycloakSchema = z
  .object({
    serverUrl: httpUrl,
    realm: z.string().min(1),
    clientId: z.string().min(1),
    adminGroup: z.string().optional(),
    adminRole: z.string().optional(),
    legacySupport: z.boolean().optional(),
    idpHint: z.string().optional(),
  })
  .loose();

export const authSchema = z
  .object({
    enableGuestAccess: z.boolean().optional().describe('Let signed-out visitors see what guests may see.'),
    enableOidc: z.boolean().optional().describe('Sign in through an OpenID Connect provider (auth.oidc).'),
    oidc: oidcSchema.optional(),
    enableKeycloak: z.boolean().optional().describe('Sign in through Keycloak (auth.keycloak).'),
    keycloak: keycloakSchema.optional(),
    enableHeaderAuth: z.boolean().optional(),
    users: z.array(z.object({ user: z.string() }).loose()).optional(),
  })
  .loose()
  .superRefine((auth, ctx) => {
    if (auth.enableOidc && !auth.oidc) {
      ctx.addIssue({ code: 'custom', path: ['oidc'], message: 'required when enableOidc is true' });
    }
    if (auth.enableKeycloak && !auth.keycloak) {
      ctx.addIssue({ code: 'custom', path: ['keycloak'], message: 'required when enableKeycloak is true' });
    }
    if (auth.enableOidc && auth.enableKeycloak) {
      ctx.addIssue({ code: 'custom', path: ['enableKeycloak'], message: 'enable only one of enableOidc and enableKeycloak' });
    }
  });

const hideComponentsSchema = z
  .object({
    hideHeading: z.boolean().optional(),
    hideNav: z.boolean().optional(),
    hideSearch: z.boolean().optional(),
    hideSettings: z.boolean().optional(),
    hideFooter: z.boolean().optional(),
  })
  .loose();

const webSearchSchema = z
  .object({
    disableWebSearch: z.boolean().optional(),
    searchEngine: z.string().optional(),
    customSearchEngine: z.string().optional().describe('A search URL the query is appended to.'),
    openingMethod: z.enum(['newtab', 'sametab', 'workspace']).optional(),
    searchBangs: z.record(z.string(), z.string()).optional(),
  })
  .loose();

export const appConfigSchema = z
  .object({
    theme: z.string().optional(),
    dayTheme: z.string().optional().describe('Theme while the system prefers a light scheme.'),
    nightTheme: z.string().optional().describe('Theme while the system prefers a dark scheme.'),
    customColors: z.record(z.string(), z.unknown()).optional().describe('Colours per theme name.'),
    customCss: z.string().optional(),
    cssThemes: strings.optional(),
    backgroundImg: z.string().optional(),
    layout: z.enum(['horizontal', 'vertical', 'auto', 'masonry', 'sidebar']).optional(),
    iconSize: z.enum(['small', 'medium', 'large']).optional(),
    colCount: z.number().optional(),
    startingView: z.enum(['home', 'default', 'minimal', 'workspace']).optional(),
    defaultOpeningMethod: z.enum(OPENING_METHODS).optional().describe('Used for items without a target.'),
    defaultIcon: z.string().optional(),
    language: z.string().optional(),
    statusCheck: z.boolean().optional(),
    statusCheckInterval: z.number().int().min(0).optional(),
    hideComponents: hideComponentsSchema.optional(),
    webSearch: webSearchSchema.optional(),
    workspaceLandingUrl: z.string().optional(),
    enableMultiTasking: z.boolean().optional(),
    disableContextMenu: z.boolean().optional(),
    disableConfiguration: z.boolean().optional().describe('Nobody can save the configuration from the browser.'),
    disableConfigurationForNonAdmin: z.boolean().optional().describe('Non-admins get a read-only view.'),
    enableServiceWorker: z.boolean().optional(),
    auth: authSchema.optional(),
  })
  .loose();

export const pageInfoSchema = z
  .object({
    title: z.string().optional(),
    description: z.string().optional(),
    navLinks: z
      .array(
        z
          .object({
            title: z.string(),
            path: link.pipe(z.string({ error: 'a link needs a path' })),
            target: z.enum(['newtab', 'sametab', 'parent', 'top', 'newwindow']).optional(),
          })
          .loose(),
      )
      .optional(),
    footerText: z.string().optional(),
    logo: z.string().optional(),
  })
  .loose();

/** A whole conf.yml, or a sub-page file (which usually holds only `sections`). */
export const dashyConfigSchema = z
  .object({
    pageInfo: pageInfoSchema.optional(),
    appConfig: appConfigSchema.optional(),
    pages: z.array(pageSchema).optional(),
    sections: z.array(sectionSchema).optional(),
  })
  .loose();

export type DashyConfig = z.infer<typeof dashyConfigSchema>;
export type DashySection = z.infer<typeof sectionSchema>;
export type DashyPage = z.infer<typeof pageSchema>;
export type DisplayData = z.infer<typeof displayDataSchema>;
export type DashyAuth = z.infer<typeof authSchema>;
