// Types for the tests that import scripts/lib/program-plugins.mjs.
import type { Plugin } from 'rolldown';

export function englishList(items: Iterable<string>, word: string): string;
export const oidcProviderListsWithoutIcu: Plugin;
export const builtinsWithoutNamespaces: Plugin;
export const fastifyServerModulesOnFirstUse: Plugin;
export const koaResponseCheckWithoutUndici: Plugin;
export const asciiLegalComments: Plugin;
