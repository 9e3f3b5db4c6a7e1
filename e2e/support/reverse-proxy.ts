// Hearth behind a real reverse proxy, as people deploy it: Debian's Caddy or nginx, started
// here as an unprivileged child with its own configuration and temp folder, serving HTTPS with
// a certificate from a throwaway local CA. Chromium trusts that CA through an NSS database in
// a HOME of its own and resolves the test host names to 127.0.0.1; this process trusts it and
// resolves them too, so Node peers (the dashboard fetching Hearth ID's discovery and keys) go
// through the proxy like a browser does. Nothing on the machine (/etc/hosts, the system trust
// store) is touched.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import dns from 'node:dns';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import tls from 'node:tls';
import { chromium, type Browser } from 'playwright-core';
import { requireWebAppBuild } from '../../apps/id/test/browser/support.js';

export type ProxyKind = 'caddy' | 'nginx';

export const PROXY_BINARIES: Record<ProxyKind, string> = { caddy: '/usr/bin/caddy', nginx: '/usr/sbin/nginx' };

/** What a test needs that Debian packages provide (`.ci/run` installs them); null when all are there. */
export function missingTools(): string | null {
  const wanted = [...Object.values(PROXY_BINARIES), '/usr/bin/openssl', '/usr/bin/certutil'];
  const missing = wanted.filter((file) => !existsSync(file));
  return missing.length > 0 ? `missing ${missing.join(', ')} (apt-get install -y caddy nginx-light openssl libnss3-tools)` : null;
}

export interface TestPki {
  caFile: string;
  caPem: string;
  certFile: string;
  keyFile: string;
}

/** A CA made for this run, and a server certificate it signed for `hosts`. */
export function createTestPki(dir: string, hosts: string[]): TestPki {
  mkdirSync(dir, { recursive: true });
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', file('ca.key'), '-out', file('ca.pem'),
    '-days', '2', '-subj', '/CN=Hearth test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', file('server.key'), '-out', file('server.csr'), '-subj', `/CN=${hosts[0]}`);
  writeFileSync(file('server.ext'), [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature',
    'extendedKeyUsage=serverAuth',
    `subjectAltName=${hosts.map((host) => `DNS:${host}`).join(',')}`,
  ].join('\n'));
  openssl('x509', '-req', '-in', file('server.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial', '-days', '2',
    '-extfile', file('server.ext'), '-out', file('server.pem'));
  return { caFile: file('ca.pem'), caPem: readFileSync(file('ca.pem'), 'utf8'), certFile: file('server.pem'), keyFile: file('server.key') };
}

/**
 * Makes this process trust the CA and resolve `hosts` to 127.0.0.1, as a machine whose DNS
 * points those names at the proxy would. Returns the undo.
 */
export function trustAndResolveInThisProcess(pki: TestPki, hosts: string[]): () => void {
  const previousCas = tls.getCACertificates('default');
  tls.setDefaultCACertificates([...previousCas, pki.caPem]);
  const lookup = dns.lookup;
  const mapped = new Set(hosts);
  dns.lookup = ((hostname: string, ...rest: unknown[]) =>
    (lookup as (...args: unknown[]) => void).call(dns, mapped.has(hostname) ? '127.0.0.1' : hostname, ...rest)) as typeof dns.lookup;
  return () => {
    dns.lookup = lookup;
    tls.setDefaultCACertificates(previousCas);
  };
}

/** Chromium with a HOME whose NSS database trusts the CA, and `hosts` resolved to 127.0.0.1. */
export async function launchTrustingBrowser(dir: string, pki: TestPki, hosts: string[]): Promise<Browser> {
  requireWebAppBuild();
  const home = join(dir, 'browser-home');
  const nssDb = `sql:${join(home, '.pki', 'nssdb')}`;
  mkdirSync(join(home, '.pki', 'nssdb'), { recursive: true });
  execFileSync('certutil', ['-d', nssDb, '-N', '--empty-password'], { stdio: 'pipe' });
  execFileSync('certutil', ['-d', nssDb, '-A', '-t', 'C,,', '-n', 'hearth-test-ca', '-i', pki.caFile], { stdio: 'pipe' });
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    env: { ...process.env, HOME: home },
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
      `--host-resolver-rules=${hosts.map((host) => `MAP ${host} 127.0.0.1`).join(',')}`,
    ],
  });
}

export interface ProxySite {
  /** The public host name (the certificate covers it). */
  host: string;
  /** Where the app listens, on 127.0.0.1. */
  upstreamPort: number;
  /** Ask Hearth ID (listening on this port) before every request, as docs/forward-auth.md configures it. */
  forwardAuth?: { idPort: number };
}

export interface RunningProxy {
  kind: ProxyKind;
  port: number;
  /** What the proxy printed, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

function caddyfile(dir: string, pki: TestPki, port: number, sites: ProxySite[]): string {
  // The documented setup (docs/reverse-proxy.md), with our own certificate instead of ACME.
  return [
    '{',
    '  admin off',
    '  auto_https disable_redirects',
    `  storage file_system ${join(dir, 'caddy-data')}`,
    '}',
    ...sites.flatMap(({ host, upstreamPort, forwardAuth }) => [
      `https://${host}:${port} {`,
      `  tls ${pki.certFile} ${pki.keyFile}`,
      ...(forwardAuth
        ? [
          `  forward_auth 127.0.0.1:${forwardAuth.idPort} {`,
          '    uri /api/forward-auth',
          '    copy_headers Remote-User Remote-Groups Remote-Email Remote-Name',
          '  }',
        ]
        : []),
      `  reverse_proxy 127.0.0.1:${upstreamPort}`,
      '}',
    ]),
  ].join('\n');
}

function nginxConf(dir: string, pki: TestPki, port: number, sites: ProxySite[]): string {
  const temp = (name: string) => join(dir, 'nginx-temp', name);
  for (const name of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(temp(name), { recursive: true });
  return `daemon off;
worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log stderr warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${temp('body')};
  proxy_temp_path ${temp('proxy')};
  fastcgi_temp_path ${temp('fastcgi')};
  uwsgi_temp_path ${temp('uwsgi')};
  scgi_temp_path ${temp('scgi')};
  ssl_certificate ${pki.certFile};
  ssl_certificate_key ${pki.keyFile};
${sites.map(({ host, upstreamPort, forwardAuth }) => `  server {
    listen 127.0.0.1:${port} ssl;
    server_name ${host};
    location / {
${forwardAuth ? nginxForwardAuth : ''}      proxy_pass http://127.0.0.1:${upstreamPort};
      proxy_http_version 1.1;
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-Host $http_host;
    }
${forwardAuth ? nginxAuthLocations(forwardAuth) : ''}  }`).join('\n')}
}
`;
}

const nginxForwardAuth = `      auth_request /hearth-auth;
      auth_request_set $hearth_signin $upstream_http_location;
      error_page 401 =302 $hearth_signin;
      auth_request_set $hearth_user $upstream_http_remote_user;
      auth_request_set $hearth_groups $upstream_http_remote_groups;
      auth_request_set $hearth_email $upstream_http_remote_email;
      auth_request_set $hearth_name $upstream_http_remote_name;
      proxy_set_header Remote-User $hearth_user;
      proxy_set_header Remote-Groups $hearth_groups;
      proxy_set_header Remote-Email $hearth_email;
      proxy_set_header Remote-Name $hearth_name;
`;

function nginxAuthLocations({ idPort }: { idPort: number }): string {
  return `    location = /hearth-auth {
      internal;
      proxy_pass http://127.0.0.1:${idPort}/api/forward-auth/nginx;
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-Host $http_host;
      proxy_set_header X-Forwarded-Uri $request_uri;
      proxy_set_header X-Forwarded-Method $request_method;
    }
`;
}

/** Starts the proxy on 127.0.0.1:`port` and waits until it answers TLS for the first site. */
export async function startProxy(kind: ProxyKind, options: { dir: string; pki: TestPki; port: number; sites: ProxySite[] }): Promise<RunningProxy> {
  const { dir, pki, port, sites } = options;
  mkdirSync(dir, { recursive: true });
  let child: ChildProcess;
  if (kind === 'caddy') {
    const config = join(dir, 'Caddyfile');
    writeFileSync(config, caddyfile(dir, pki, port, sites));
    child = spawn(PROXY_BINARIES.caddy, ['run', '--config', config, '--adapter', 'caddyfile'], {
      env: { PATH: process.env.PATH, HOME: dir, XDG_DATA_HOME: join(dir, 'xdg-data'), XDG_CONFIG_HOME: join(dir, 'xdg-config') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } else {
    const config = join(dir, 'nginx.conf');
    writeFileSync(config, nginxConf(dir, pki, port, sites));
    child = spawn(PROXY_BINARIES.nginx, ['-p', dir, '-c', config, '-e', 'stderr'], { stdio: ['ignore', 'pipe', 'pipe'] });
  }
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const proxy: RunningProxy = {
    kind,
    port,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${kind} exited with code ${child.exitCode}:\n${output}`);
    const answered = await requestThrough(`https://${sites[0]!.host}:${port}/healthz`, { ca: pki.caPem }).then(() => true, () => false);
    if (answered) return proxy;
    if (Date.now() > deadline) {
      await proxy.stop();
      throw new Error(`${kind} did not answer on port ${port} within 30 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface PlainResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * One HTTPS request to the proxy at 127.0.0.1, optionally from another loopback address
 * (`from`), so that the client the proxy sees differs from the proxy's own address.
 */
export function requestThrough(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string; from?: string; ca?: string } = {},
): Promise<PlainResponse> {
  return new Promise((resolve, reject) => {
    const request = httpsRequest(url, {
      method: options.method ?? 'GET',
      headers: options.headers,
      localAddress: options.from,
      ca: options.ca,
      agent: false,
      lookup: (_hostname, lookupOptions, callback) => {
        if (lookupOptions.all) (callback as unknown as (error: null, addresses: dns.LookupAddress[]) => void)(null, [{ address: '127.0.0.1', family: 4 }]);
        else callback(null, '127.0.0.1', 4);
      },
      timeout: 10_000,
    });
    request.on('timeout', () => request.destroy(new Error(`no answer from ${url}`)));
    request.on('error', reject);
    request.on('response', (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    });
    request.end(options.body);
  });
}
