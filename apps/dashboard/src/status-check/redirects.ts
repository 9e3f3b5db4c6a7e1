// Where a status check may go after a redirect, and with which headers. `statusCheckHeaders`
// are often API keys meant for one service: they go to the item's own origin only, and a
// redirect elsewhere is followed only when the item opts in. A redirect from https to http
// is never followed: it would send the request (and where it came from) in clear text.

/** http://host → https://host on the default ports: the same server, now encrypted. */
function isUpgradeOf(from: URL, to: URL): boolean {
  return from.protocol === 'http:' && to.protocol === 'https:' && from.hostname === to.hostname && from.port === '' && to.port === '';
}

/**
 * The item's own origin (scheme, host and port), or its upgrade to https on the same host:
 * the headers were sent there in clear text already, so TLS to the same host adds no reader.
 */
export function isItemOrigin(item: URL, target: URL): boolean {
  return target.origin === item.origin || isUpgradeOf(item, target);
}

export type RedirectDecision =
  | { kind: 'follow' }
  /** Not followed; `up` says how the redirect answer itself counts. */
  | { kind: 'stop'; up: boolean; reason: string };

/** Where a redirect points, without its path and query (which may carry tokens). */
function whereTo(to: URL): string {
  return to.protocol === 'http:' || to.protocol === 'https:' ? to.origin : `a ${to.protocol} URL`;
}

export function decideRedirect(item: URL, from: URL, to: URL, allowOffOrigin: boolean): RedirectDecision {
  if (from.protocol === 'https:' && to.protocol === 'http:') {
    return { kind: 'stop', up: false, reason: `refused a redirect from https to http (${to.origin})` };
  }
  if (isItemOrigin(item, to) || allowOffOrigin) return { kind: 'follow' };
  // The service answered; where it sends browsers is not ours to visit unasked.
  return {
    kind: 'stop',
    up: true,
    reason: `redirect to ${whereTo(to)} not followed (another origin; statusCheckAllowOffOriginRedirects: true follows it)`,
  };
}
