import type { FastifyInstance } from 'fastify';
import type Provider from 'oidc-provider';
import type { AppContext } from '../http/context.js';

export async function registerInteractionRoutes(_app: FastifyInstance, _ctx: AppContext, _provider: Provider): Promise<void> {}
