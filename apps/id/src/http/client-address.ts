import { BlockList, isIP } from 'node:net';
import type { TrustProxy } from '../config/config.js';

/** The ranges behind proxy-addr's names, which Fastify accepts in trustProxy too. */
const NAMED_RANGES: Record<string, string[]> = {
  loopback: ['127.0.0.1/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

/** An IPv4 address written as IPv6 (`::ffff:10.0.0.1`) is compared as the IPv4 address it is. */
function unmapped(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1]! : address;
}

function blockListOf(entries: string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries.flatMap((item) => NAMED_RANGES[item] ?? [item])) {
    const [rawAddress = '', prefix] = entry.split('/');
    const address = unmapped(rawAddress);
    const family = isIP(address) === 4 ? 'ipv4' : 'ipv6';
    const bits = prefix === undefined ? (family === 'ipv4' ? 32 : 128) : Number(prefix) - (address === rawAddress ? 0 : 96);
    list.addSubnet(address, Math.max(0, bits), family);
  }
  return list;
}

/** Whether the hop-th address from the server (0: the connection's peer) is a proxy we trust. */
export function trustFunction(trust: TrustProxy): (address: string, hop: number) => boolean {
  if (trust === false) return () => false;
  if (typeof trust === 'number') return (_address, hop) => hop < trust;
  const list = blockListOf(trust);
  return (raw) => {
    const address = unmapped(raw);
    const family = isIP(address);
    return family !== 0 && list.check(address, family === 4 ? 'ipv4' : 'ipv6');
  };
}

/**
 * Fastify's trustProxy: a trust function for every TRUST_PROXY form, because Fastify itself
 * reads a bare number as "trust nothing". Fastify walks X-Forwarded-For from the connection's
 * peer leftwards while the current address is trusted; request.ip is where the walk stops.
 * The OIDC provider is handed that same address (oidc-dispatch.ts).
 */
export function fastifyTrustProxy(trust: TrustProxy): false | ((address: string, hop: number) => boolean) {
  return trust === false ? false : trustFunction(trust);
}
