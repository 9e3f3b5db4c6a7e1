import { api } from './api';
import type { GroupRef, InteractionDetails, User } from './types';

/** What the server put into the page, so the first screen needs no request of its own. */
export interface BootData {
  user: User | null;
  groups: GroupRef[];
  setupRequired: boolean;
  /** The details of the sign-in screen this page opens, when it is one and they could be read. */
  interaction: InteractionDetails | null;
}

let boot: BootData | null | undefined;

function readBootData(): BootData | null {
  if (boot !== undefined) return boot;
  const element = document.getElementById('hearth-boot');
  element?.remove();
  try {
    boot = element?.textContent ? (JSON.parse(element.textContent) as BootData) : null;
  } catch {
    boot = null;
  }
  return boot;
}

/** The page's boot data, once: later reads go to the API, as the page may be long open. */
export function takeBootData(): BootData | null {
  const data = readBootData();
  boot = null;
  return data;
}

const prefetched = new Map<string, Promise<unknown>>();
/** Answers the page itself carried, readable without waiting (a promise always resolves a turn later). */
const embeddedAnswers = new Map<string, unknown>();

/** The page's own answer for a GET, once, so the first screen can draw it in its first render. */
export function takeEmbedded<T>(path: string): T | undefined {
  const value = embeddedAnswers.get(path) as T | undefined;
  if (value === undefined) return undefined;
  embeddedAnswers.delete(path);
  prefetched.delete(path);
  return value;
}

/** A GET started early (or answered by the page itself), handed once to the first screen that asks for that path. */
export function takePrefetched<T>(path: string): Promise<T> {
  const pending = prefetched.get(path);
  prefetched.delete(path);
  embeddedAnswers.delete(path);
  return (pending as Promise<T> | undefined) ?? api.get<T>(path);
}

/**
 * Hands the sign-in screen of interaction `uid` its details: those the page carried, readable
 * in its first render, else a request started now.
 */
export function carryInteraction(uid: string): void {
  // Spelled as the interaction screen spells it, so that it finds this one.
  const detailsPath = `/interaction/${encodeURIComponent(uid)}/details`;
  const embedded = readBootData()?.interaction;
  const pending = embedded?.uid === uid ? Promise.resolve(embedded) : api.get(detailsPath);
  pending.catch(() => {});
  prefetched.set(detailsPath, pending);
  if (embedded?.uid === uid) embeddedAnswers.set(detailsPath, embedded);
}
