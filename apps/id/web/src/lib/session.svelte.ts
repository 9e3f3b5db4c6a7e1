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
