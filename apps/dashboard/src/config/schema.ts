// The one description of Dashy's conf.yml that Hearth trusts: it validates at boot and on
// save, gives the TypeScript types, and is exported as the JSON Schema editors use.
// Every object is `.loose()`: a Dashy user's file must round-trip unchanged, including keys
// Hearth does not know (newer Dashy options, widgets, custom fields).
import { z } from 'zod';
import { isLocalPagePath } from './page-path.js';

/** Dashy accepts any scheme (https, ssh, smb, ...) and relative links to the same host. */
const url = z
  .string()
  .refine((value) => URL.canParse(value) || value.startsWith('/'), { error: 'expected a URL' });
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
    sortBy: z.string().optional(),
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
    hideForUsers: strings.optional().describe('Hidden from these users (names compare case-insensitively).'),
    showForUsers: strings.optional().describe('Shown only to these signed-in users.'),
    hideForGuests: z.boolean().optional().describe('Hidden from signed-out visitors.'),
    hideForKeycloakUsers: groupsAndRoles.optional().describe('Hidden from users with any of these groups or roles (any OIDC provider).'),
    showForKeycloakUsers: groupsAndRoles.optional().describe('Shown only to users with one of these groups or roles (any OIDC provider).'),
  })
  .loose()
  .meta({ id: 'displayData' });

const itemFields = {
  title: z.string().optional(),
  description: z.string().optional(),
  icon: z.string().optional(),
  url: url.optional(),
  target: z.enum(['newtab', 'sametab', 'parent', 'top', 'modal', 'workspace', 'clipboard']).optional(),
  hotkey: z.number().int().optional(),
  tags: strings.optional(),
  id: z.string().optional(),
  color: z.string().optional(),
  backgroundColor: z.string().optional(),
  provider: z.string().optional(),
  statusCheck: z.boolean().optional(),
  statusCheckUrl: url.optional(),
  statusCheckHeaders: z.record(z.string(), z.string()).optional().describe('Headers sent with status checks; never sent to browsers.'),
  statusCheckAllowInsecure: z.boolean().optional().describe('Accept self-signed TLS certificates when checking.'),
  statusCheckAcceptCodes: z.union([z.string(), z.number().int()]).optional().describe('HTTP codes counted as up besides 2xx, e.g. "401, 403".'),
  statusCheckMaxRedirects: z.number().int().min(0).optional().describe('Redirects followed when checking (default 3, at most 10).'),
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

export const sectionSchema = z
  .object({
    name: z.string({ error: 'a section needs a name' }),
    icon: z.string().optional(),
    displayData: displayDataSchema.optional(),
    items: z.array(itemSchema).optional(),
    widgets: z.array(z.object({ type: z.string() }).loose()).optional(),
  })
  .loose();

export const pageSchema = z
  .object({
    name: z.string(),
    path: z.string().refine((value) => isLocalPagePath(value) || httpUrl.safeParse(value).success, {
      error: 'expected a .yml file name inside the user data folder, or an http(s) URL',
    }),
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

export const appConfigSchema = z
  .object({
    theme: z.string().optional(),
    layout: z.enum(['horizontal', 'vertical', 'auto', 'sidebar']).optional(),
    iconSize: z.enum(['small', 'medium', 'large']).optional(),
    language: z.string().optional(),
    statusCheck: z.boolean().optional(),
    statusCheckInterval: z.number().int().min(0).optional(),
    hideComponents: z.object({}).loose().optional(),
    webSearch: z.object({}).loose().optional(),
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
    navLinks: z.array(z.object({ title: z.string(), path: z.string(), target: z.string().optional() }).loose()).optional(),
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
