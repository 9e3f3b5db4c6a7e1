// What the sign-in problem page shows: the provider's words, and what to check on our side.

export interface SignInProblemDetails {
  /** The provider's `error` (access_denied, invalid_request, ...) or one of ours. */
  error: string;
  /** The provider's `error_description`, or ours. */
  description: string | null;
  /** The redirect URI this browser sent; it must be registered at the provider exactly. */
  redirectUri: string;
  authority: string;
  clientId: string;
}

/** What to check, by the kind of problem; the seed's troubleshooting in short. */
export function adviceFor(problem: SignInProblemDetails): string[] {
  const callback = `The client "${problem.clientId}" at the identity provider lists this exact callback URL: ${problem.redirectUri} (register ${problem.redirectUri}/ as well; scheme, host and port must match how you open the dashboard).`;
  switch (problem.error) {
    case 'access_denied':
      return [
        'The identity provider refused the sign-in, or it was cancelled there. Check that your account may use this client (groups or allowed users on the provider).',
        callback,
      ];
    case 'token_refused':
      return [
        `The endpoint in conf.yml (${problem.authority}), the provider's APP_URL and the address the browser uses for it are the same string (scheme, host and port).`,
        `The clientId in conf.yml matches the provider's client ID "${problem.clientId}".`,
        'The clocks of the dashboard server and the provider agree (30 seconds of drift are allowed).',
      ];
    case 'provider_unreachable':
      return [
        `This browser can open ${problem.authority}/.well-known/openid-configuration.`,
        'The endpoint in conf.yml is the address browsers use for the provider, not a name only the server knows.',
      ];
    case 'expired_token':
      return ['The clocks of this computer and the identity provider agree (use NTP).'];
    default:
      return [
        callback,
        `The clientId in conf.yml is the provider's client ID, and the client is public with PKCE on.`,
        `The endpoint in conf.yml (${problem.authority}) is the provider's APP_URL exactly.`,
      ];
  }
}
