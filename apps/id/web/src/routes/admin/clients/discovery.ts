import { api } from '../../../lib/api';

/** The parts of Hearth ID's discovery document the client page shows, plus the document's own address. */
export interface Discovery {
  issuer: string;
  discoveryUrl: string;
  authorization_endpoint?: string;
  token_endpoint?: string;
  userinfo_endpoint?: string;
  end_session_endpoint?: string;
  jwks_uri?: string;
}

/**
 * Reads the provider's own discovery document, so that the URLs shown are the ones apps will
 * be given (APP_URL, behind a proxy too), never rebuilt here. Its address is the issuer's, as
 * OpenID Connect Discovery defines it.
 */
export async function loadDiscovery(): Promise<Discovery> {
  const document = await api.get<Omit<Discovery, 'discoveryUrl'>>('/.well-known/openid-configuration');
  return { ...document, discoveryUrl: `${document.issuer.replace(/\/$/, '')}/.well-known/openid-configuration` };
}
