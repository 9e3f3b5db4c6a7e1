import Provider, { errors } from 'oidc-provider';

/**
 * The ways a client can authenticate: the two secret methods a confidential client is
 * registered with (clients/clients.ts), and `none` for a public client. Discovery lists
 * exactly these, for the token, introspection and revocation endpoints alike.
 */
export const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'none'] as const;

/**
 * Refuses a secret sent another way than the client is registered for. The library treats
 * client_secret_basic and client_secret_post as one (either presentation passes for either
 * registration); RFC 7591 §2 makes the registered method the one the client uses, so a
 * client registered for Basic whose secret turns up in a form body, or the reverse, is
 * refused as invalid_client. Called just before the secret is compared, while the request
 * that presented it is the library's current context.
 */
export function assertRegisteredSecretMethod(registered: string): void {
  const koa = Provider.ctx;
  const presented =
    koa?.headers.authorization !== undefined ? 'client_secret_basic' : koa?.oidc.params?.client_secret ? 'client_secret_post' : undefined;
  if (presented === undefined || presented !== registered) {
    throw new errors.InvalidClientAuth(`this client is registered to authenticate with ${registered}`);
  }
}
