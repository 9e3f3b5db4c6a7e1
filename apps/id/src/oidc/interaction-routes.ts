import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import type { InteractionResults } from 'oidc-provider';
import { z } from 'zod';
import type { AppContext } from '../app-context.js';
import { auditFrom } from '../http/context.js';
import { parseInput } from '../http/validation.js';
import { signInRateLimit } from '../http/rate-limit.js';
import { recordAudit } from '../audit/audit.js';
import { DomainError } from '../errors.js';
import { findClient, isUserAllowedForClient, type OidcClient } from '../clients/clients.js';
import { authenticationOptions, authenticationResponseSchema, verifyAuthentication } from '../passkeys/passkeys.js';
import { epochSeconds } from '../db/database.js';
import { OIDC_SCOPES } from './provider.js';
import { continueRefusal, passkeyRefusal, signInRequirements } from './sign-in-requirements.js';

type Params = { Params: { uid: string } };

const passkeyBody = z.object({ response: authenticationResponseSchema });

/**
 * The API behind the sign-in and consent screens of an OIDC authorization. Everything
 * lives under /interaction/<uid>/ because the provider scopes its interaction cookie there.
 * Each step answers `{redirectTo}`: where the browser goes next (back into the provider,
 * and from there to the app).
 */
export async function registerInteractionRoutes(
  app: FastifyInstance,
  ctx: AppContext,
  provider: Provider,
): Promise<{ interactionPage: (request: FastifyRequest<Params>, reply: FastifyReply) => Promise<unknown> }> {
  const { db } = ctx.database;

  async function details(request: FastifyRequest<Params>, reply: FastifyReply) {
    try {
      const interaction = await provider.interactionDetails(request.raw, reply.raw);
      if (interaction.uid !== request.params.uid) throw new Error('uid mismatch');
      return interaction;
    } catch {
      throw new DomainError('gone', 'this sign-in request has expired or was already completed; go back to the app and start again');
    }
  }

  async function finish(request: FastifyRequest<Params>, reply: FastifyReply, result: InteractionResults) {
    const redirectTo = await provider.interactionResult(request.raw, reply.raw, result, { mergeWithLastSubmission: false });
    return { redirectTo };
  }

  async function clientOf(clientId: string | undefined) {
    const client = clientId ? await findClient(db, clientId) : null;
    if (!client) throw new DomainError('gone', 'the app that started this sign-in no longer exists');
    return client;
  }

  /**
   * Finishes a login for the user, or refuses it when they are outside the allowed groups of
   * the interaction's client (read by the caller). `authenticatedAt` is when they really
   * signed in (a passkey, a login link): the provider keeps it as its session's auth_time and
   * puts it in the ID token.
   */
  async function completeLogin(request: FastifyRequest<Params>, reply: FastifyReply, client: OidcClient, userId: string, method: string, authenticatedAt: number) {
    if (!(await isUserAllowedForClient(db, client, userId))) {
      await recordAudit(db, auditFrom(request, { event: 'sign_in_failed', userId, data: { client: client.id, reason: 'not in allowed groups' } }));
      const message = `You are not in a group that may use ${client.name}. Ask an administrator to add you to one.`;
      return { refused: true, message, ...(await finish(request, reply, { error: 'access_denied', error_description: message })) };
    }
    await recordAudit(db, auditFrom(request, { event: 'sign_in', userId, actorId: userId, data: { client: client.id, method } }));
    return finish(request, reply, {
      login: { accountId: userId, ts: authenticatedAt, amr: method === 'passkey' ? ['hwk', 'user'] : ['session'] },
    });
  }

  /** What the sign-in screen shows; also put into its page, so that it needs no request first. */
  async function interactionDetails(request: FastifyRequest<Params>, reply: FastifyReply) {
    const interaction = await details(request, reply);
    const client = await clientOf(interaction.params.client_id as string | undefined);
    const session = request.session;
    const allowed = session ? await isUserAllowedForClient(db, client, session.user.id) : true;
    const requirements = await signInRequirements(db, interaction);
    // Mirrors the checks of POST .../continue, which refuses on its own whatever the screen shows.
    const refusal = session && interaction.prompt.name === 'login' ? continueRefusal(requirements, session, client.name) : null;
    const expected = requirements.expectedUser;
    return {
      uid: interaction.uid,
      prompt: { name: interaction.prompt.name, reasons: interaction.prompt.reasons },
      client: { id: client.id, name: client.name },
      scopes: String(interaction.params.scope ?? '')
        .split(' ')
        .filter((scope) => (OIDC_SCOPES as readonly string[]).includes(scope)),
      // Claims asked for one by one (the claims parameter), beyond what the scopes cover.
      claims: ((interaction.prompt.details as { missingOIDCClaims?: string[] }).missingOIDCClaims ?? []).filter((claim) => typeof claim === 'string'),
      signedInAs: session ? { username: session.user.username, displayName: session.user.displayName } : null,
      allowed,
      continueAllowed: session !== null && interaction.prompt.name === 'login' && allowed && refusal === null,
      continueRefusal: refusal,
      expectedUser: expected ? { username: expected.username, displayName: expected.displayName } : null,
    };
  }

  app.get<Params>('/interaction/:uid/details', interactionDetails);

  /**
   * What the sign-in page carries: its details and, when it offers the passkey button, the
   * options of a passkey sign-in (a fresh challenge, as POST .../passkey-options makes), so
   * that a click goes straight to the passkey prompt. The page's route counts under the
   * sign-in rate limit for that reason (web-app/routes.ts). Options that could not be made
   * leave the screen to ask for them.
   */
  async function interactionPage(request: FastifyRequest<Params>, reply: FastifyReply) {
    const shown = await interactionDetails(request, reply);
    if (shown.prompt.name !== 'login' || shown.continueAllowed) return shown;
    const passkeyOptions = await authenticationOptions(db, ctx.config).catch(() => null);
    return { ...shown, passkeyOptions };
  }

  app.post<Params>('/interaction/:uid/passkey-options', { config: signInRateLimit(ctx.config) }, async (request, reply) => {
    await details(request, reply);
    return authenticationOptions(db, ctx.config);
  });

  app.post<Params>('/interaction/:uid/passkey', { config: signInRateLimit(ctx.config) }, async (request, reply) => {
    const interaction = await details(request, reply);
    const { response } = parseInput(passkeyBody, request.body);
    let userId: string;
    try {
      ({ userId } = await verifyAuthentication(db, ctx.config, response));
    } catch (error) {
      ctx.metrics?.signIn('passkey', 'failure');
      await recordAudit(db, auditFrom(request, { event: 'sign_in_failed', data: { method: 'passkey', reason: (error as Error).message } }));
      throw error;
    }
    // The app named a person (id_token_hint): someone else's passkey neither answers the
    // request nor replaces the session this browser already has.
    const client = await clientOf(interaction.params.client_id as string | undefined);
    const refusal = passkeyRefusal(await signInRequirements(db, interaction), userId, client.name);
    if (refusal) {
      ctx.metrics?.signIn('passkey', 'failure');
      await recordAudit(db, auditFrom(request, { event: 'sign_in_failed', userId, data: { client: client.id, method: 'passkey', reason: 'not the person the app asked for' } }));
      throw new DomainError('forbidden', refusal);
    }
    await reply.signIn(userId);
    ctx.metrics?.signIn('passkey', 'success');
    return completeLogin(request, reply, client, userId, 'passkey', epochSeconds());
  });

  /**
   * Continue as the person already signed in to Hearth ID, without another passkey prompt,
   * unless the app asked for a fresh sign-in (prompt=login, max_age) or for someone else.
   */
  app.post<Params>('/interaction/:uid/continue', async (request, reply) => {
    const interaction = await details(request, reply);
    const { session } = request;
    if (!session) throw new DomainError('unauthorized', 'sign in with a passkey first');
    if (interaction.prompt.name !== 'login') throw new DomainError('invalid', `this step needs ${interaction.prompt.name}, not sign-in`);
    const client = await clientOf(interaction.params.client_id as string | undefined);
    const refusal = continueRefusal(await signInRequirements(db, interaction), session, client.name);
    if (refusal) throw new DomainError('forbidden', refusal);
    return completeLogin(request, reply, client, session.user.id, 'session', session.authenticatedAt);
  });

  /** The user allows the app the scopes it asked for. */
  app.post<Params>('/interaction/:uid/consent', async (request, reply) => {
    const interaction = await details(request, reply);
    if (interaction.prompt.name !== 'consent') throw new DomainError('invalid', `this step needs ${interaction.prompt.name}, not consent`);
    const accountId = interaction.session?.accountId;
    if (!accountId || request.session?.user.id !== accountId) throw new DomainError('unauthorized', 'sign in again to continue');
    const clientId = interaction.params.client_id as string;
    const grant = interaction.grantId
      ? await provider.Grant.find(interaction.grantId)
      : new provider.Grant({ accountId, clientId });
    if (!grant) throw new DomainError('gone', 'this sign-in request has expired; go back to the app and start again');
    const missing = interaction.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    const grantId = await grant.save();
    return finish(request, reply, { consent: { grantId } });
  });

  /** The user cancels: the app gets access_denied. */
  app.post<Params>('/interaction/:uid/abort', async (request, reply) => {
    await details(request, reply);
    return finish(request, reply, { error: 'access_denied', error_description: 'the user cancelled the sign-in' });
  });

  return { interactionPage };
}
