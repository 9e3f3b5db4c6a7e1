import { api, ApiError } from './api';
import type { GroupRef, User } from './types';

/** Who is signed in, and whether Hearth ID still waits for its first administrator. */
export const session = $state<{ user: User | null; groups: GroupRef[]; setupRequired: boolean }>({
  user: null,
  groups: [],
  setupRequired: false,
});

export async function refreshSession(): Promise<void> {
  try {
    const me = await api.get<{ user: User; groups: GroupRef[] }>('/api/me');
    session.user = me.user;
    session.groups = me.groups;
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401) throw error;
    session.user = null;
    session.groups = [];
  }
}

/**
 * After a sign-in in this page (a passkey): the sign-in answer names the user only, and the
 * groups left over are those of nobody (signed out). Both are read again, so that screens
 * showing groups are right without a reload.
 */
export async function startSession(user: User): Promise<void> {
  session.user = user;
  session.groups = [];
  await refreshSession();
}

export async function checkSetup(): Promise<void> {
  try {
    await api.get('/api/setup');
    session.setupRequired = true;
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 404) throw error;
    session.setupRequired = false;
  }
}

export async function signOut(): Promise<void> {
  await api.post('/api/logout');
  session.user = null;
  session.groups = [];
}
