import {
  browserSupportsWebAuthn,
  browserSupportsWebAuthnAutofill,
  startAuthentication,
  startRegistration,
  WebAuthnError,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/browser';
import { api, ApiError } from './api';
import { appUrl, wrongAddress } from './config';
import type { Passkey } from './types';

export { browserSupportsWebAuthnAutofill };

/** Thrown when a passkey prompt was replaced by another one; nothing to tell the person. */
export class PasskeyCancelled extends Error {}

/**
 * Says in words a person can act on why a passkey step failed. Browsers report most
 * failures as one NotAllowedError (cancelled, timed out, no passkey here, not verified),
 * so that message names every cause and what to do next.
 */
export function describePasskeyError(error: unknown, action: 'sign-in' | 'register'): string {
  if (error instanceof ApiError) return error.message;
  const problem = wrongAddress();
  if (problem) return `${problem}. Open ${appUrl} and try again.`;
  if (!browserSupportsWebAuthn()) return 'This browser cannot use passkeys (WebAuthn is not supported). Try a current Chrome, Firefox, Safari or Edge.';
  const name = error instanceof Error ? error.name : '';
  const code = error instanceof WebAuthnError ? error.code : '';
  if (code === 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED' || name === 'InvalidStateError') {
    return 'This device already holds a passkey for your account. Use that one, or add a passkey from another device.';
  }
  if (code === 'ERROR_INVALID_DOMAIN' || code === 'ERROR_INVALID_RP_ID' || name === 'SecurityError') {
    return 'The browser refused passkeys on this address. Open Hearth ID at exactly its APP_URL.';
  }
  if (name === 'NotAllowedError' || name === 'AbortError') {
    return action === 'sign-in'
      ? 'No passkey was used. The prompt was cancelled or timed out, this device has no passkey for Hearth ID, or it could not confirm it is you (PIN, fingerprint or face). Try again, or ask an administrator for a login link.'
      : 'No passkey was created. The prompt was cancelled or timed out, or the device could not confirm it is you (PIN, fingerprint or face). Try again.';
  }
  return error instanceof Error && error.message ? error.message : 'The passkey step failed; try again.';
}

/** Asks for the options (and challenge) of a passkey sign-in; a challenge stays valid for 5 minutes. */
export function requestAssertionOptions(optionsPath: string): Promise<PublicKeyCredentialRequestOptionsJSON> {
  return api.post<PublicKeyCredentialRequestOptionsJSON>(optionsPath);
}

/**
 * Runs the browser's passkey prompt for a sign-in with options from `optionsPath`, or with
 * `early` options asked for before the click (fresh ones when those failed).
 */
export async function getAssertion(
  optionsPath: string,
  autofill = false,
  early?: Promise<PublicKeyCredentialRequestOptionsJSON>,
): Promise<AuthenticationResponseJSON> {
  const optionsJSON = await (early?.catch(() => requestAssertionOptions(optionsPath)) ?? requestAssertionOptions(optionsPath));
  try {
    return await startAuthentication({ optionsJSON, useBrowserAutofill: autofill });
  } catch (error) {
    if (error instanceof WebAuthnError && error.code === 'ERROR_CEREMONY_ABORTED') throw new PasskeyCancelled();
    throw error;
  }
}

/** Creates a passkey for the signed-in person and saves it. */
export async function addPasskey(name?: string): Promise<Passkey> {
  const optionsJSON = await api.post<PublicKeyCredentialCreationOptionsJSON>('/api/me/passkeys/registration-options');
  const response = await startRegistration({ optionsJSON });
  const body = name?.trim() ? { response, name: name.trim() } : { response };
  return (await api.post<{ passkey: Passkey }>('/api/me/passkeys', body)).passkey;
}
