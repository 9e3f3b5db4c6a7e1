/**
 * A browser stand-in for protocol tests: keeps cookies the way a browser does (by path,
 * replacing and expiring them), follows nothing by itself, and sends Origin on POSTs.
 */
interface StoredCookie {
  name: string;
  value: string;
  path: string;
}

export class CookieJar {
  private cookies: StoredCookie[] = [];

  store(setCookies: string[], requestUrl: URL): void {
    for (const header of setCookies) {
      const [pair, ...attributes] = header.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      let path = requestUrl.pathname.replace(/\/[^/]*$/, '') || '/';
      let expired = value === '';
      for (const attribute of attributes) {
        const [key, val = ''] = attribute.trim().split('=');
        const lower = key!.toLowerCase();
        if (lower === 'path') path = val || '/';
        if (lower === 'max-age' && Number(val) <= 0) expired = true;
        if (lower === 'expires' && new Date(val).getTime() < Date.now()) expired = true;
      }
      this.cookies = this.cookies.filter((cookie) => !(cookie.name === name && cookie.path === path));
      if (!expired) this.cookies.push({ name, value, path });
    }
  }

  headerFor(url: URL): string {
    return this.cookies
      .filter((cookie) => url.pathname === cookie.path || url.pathname.startsWith(cookie.path.endsWith('/') ? cookie.path : `${cookie.path}/`) || cookie.path === '/')
      .map((cookie) => `${cookie.name}=${cookie.value}`)
      .join('; ');
  }

  get(name: string): string | undefined {
    return this.cookies.find((cookie) => cookie.name === name)?.value;
  }

  delete(name: string): void {
    this.cookies = this.cookies.filter((cookie) => cookie.name !== name);
  }
}

export interface BrowserResponse {
  status: number;
  url: URL;
  location: URL | null;
  headers: Headers;
  text: string;
  json<T = any>(): T; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export class TestBrowser {
  readonly jar = new CookieJar();
  /** Where requests really go (another replica behind the same APP_URL); defaults to origin. */
  via: string | null = null;
  /** Sends each request; a test may replace it to add headers or count answers. */
  send: typeof fetch = (input, init) => fetch(input, init);
  constructor(readonly origin: string) {}

  async request(method: string, target: string | URL, body?: unknown): Promise<BrowserResponse> {
    const url = new URL(target, this.origin);
    const headers: Record<string, string> = {};
    const cookie = this.jar.headerFor(url);
    if (cookie) headers.cookie = cookie;
    if (method !== 'GET') headers.origin = this.origin;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const sentTo = this.via ? new URL(`${url.pathname}${url.search}`, this.via) : url;
    const response = await this.send(sentTo, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), redirect: 'manual' });
    this.jar.store(response.headers.getSetCookie(), url);
    const text = await response.text();
    const location = response.headers.get('location');
    return {
      status: response.status,
      url,
      location: location ? new URL(location, url) : null,
      headers: response.headers,
      text,
      json: () => JSON.parse(text),
    };
  }

  get(target: string | URL) {
    return this.request('GET', target);
  }

  post(target: string | URL, body?: unknown) {
    return this.request('POST', target, body ?? {});
  }

  /** Follows redirects on this origin; stops at the first response that is not a redirect, or leaves the origin. */
  async follow(target: string | URL): Promise<{ response: BrowserResponse; url: URL }> {
    let url = new URL(target, this.origin);
    for (let hops = 0; hops < 10; hops += 1) {
      if (url.origin !== this.origin) return { response: null as never, url };
      const response = await this.get(url);
      if (!response.location || response.status < 300 || response.status >= 400) return { response, url };
      url = response.location;
    }
    throw new Error('too many redirects');
  }
}
