// The shapes the browser app receives from the dashboard server (the JSON view of /conf.yml).
// Dashy's format is open-ended: every object may carry keys Hearth does not know.

export interface GroupsAndRoles {
  groups?: string[];
  roles?: string[];
}

export interface DisplayData {
  sortBy?: string;
  rows?: number;
  cols?: number;
  collapsed?: boolean;
  cutToHeight?: boolean;
  color?: string;
  customStyles?: string;
  itemSize?: 'small' | 'medium' | 'large';
  sectionLayout?: 'auto' | 'grid';
  itemCountX?: number;
  itemCountY?: number;
  hideForUsers?: string[];
  showForUsers?: string[];
  hideForGuests?: boolean;
  hideForKeycloakUsers?: GroupsAndRoles;
  showForKeycloakUsers?: GroupsAndRoles;
  [key: string]: unknown;
}

export type OpeningMethod = 'newtab' | 'sametab' | 'parent' | 'top' | 'modal' | 'workspace' | 'clipboard';

export interface Item {
  title?: string;
  description?: string;
  icon?: string;
  url?: string;
  target?: OpeningMethod | string;
  hotkey?: number;
  tags?: string[];
  id?: string;
  color?: string;
  backgroundColor?: string;
  provider?: string;
  statusCheck?: boolean;
  statusCheckUrl?: string;
  statusCheckInterval?: number;
  rel?: string;
  displayData?: DisplayData;
  subItems?: Item[];
  [key: string]: unknown;
}

export interface Widget {
  type: string;
  options?: Record<string, unknown>;
  updateInterval?: number;
  id?: string;
  label?: string;
  [key: string]: unknown;
}

export interface Section {
  name: string;
  icon?: string;
  displayData?: DisplayData;
  items?: Item[];
  widgets?: Widget[];
  [key: string]: unknown;
}

export interface Page {
  name: string;
  path: string;
  displayData?: DisplayData;
  [key: string]: unknown;
}

export interface NavLink {
  title: string;
  path: string;
  target?: string;
}

export interface PageInfo {
  title?: string;
  description?: string;
  navLinks?: NavLink[];
  footerText?: string;
  logo?: string;
  [key: string]: unknown;
}

export interface OidcBlock {
  clientId: string;
  endpoint: string;
  adminGroup?: string;
  adminRole?: string;
  scope?: string;
  [key: string]: unknown;
}

export interface KeycloakBlock {
  serverUrl: string;
  realm: string;
  clientId: string;
  adminGroup?: string;
  adminRole?: string;
  idpHint?: string;
  [key: string]: unknown;
}

export interface AuthBlock {
  enableGuestAccess?: boolean;
  enableOidc?: boolean;
  oidc?: OidcBlock;
  enableKeycloak?: boolean;
  keycloak?: KeycloakBlock;
  [key: string]: unknown;
}

export interface AppConfig {
  theme?: string;
  dayTheme?: string;
  nightTheme?: string;
  layout?: 'horizontal' | 'vertical' | 'auto' | 'sidebar';
  iconSize?: 'small' | 'medium' | 'large';
  statusCheck?: boolean;
  statusCheckInterval?: number;
  webSearch?: Record<string, unknown>;
  customColors?: Record<string, Record<string, string>>;
  customCss?: string;
  backgroundImg?: string;
  defaultOpeningMethod?: OpeningMethod | string;
  /** No right-click menu on items. */
  disableContextMenu?: boolean;
  /** Opening an item does not count towards `sortBy: most-used` / `last-used`. */
  disableSmartSort?: boolean;
  /** What the workspace shows before an item is chosen. */
  workspaceLandingUrl?: string;
  disableConfiguration?: boolean;
  disableConfigurationForNonAdmin?: boolean;
  auth?: AuthBlock;
  [key: string]: unknown;
}

export interface DashyConfig {
  pageInfo?: PageInfo;
  appConfig?: AppConfig;
  pages?: Page[];
  sections?: Section[];
  [key: string]: unknown;
}

export interface Viewer {
  signedIn: boolean;
  user: string | null;
  isAdmin: boolean;
  groups: string[];
  roles: string[];
  method: 'oidc' | 'users' | null;
}

export interface ConfigIssue {
  path: string;
  line?: number;
  column?: number;
  message: string;
}

/** What `GET /conf.yml` with `Accept: application/json` answers. */
export interface ConfigView {
  kind: 'source' | 'filtered' | 'bootstrap';
  config: DashyConfig;
  viewer: Viewer;
  canEdit: boolean;
  warnings: ConfigIssue[];
}
