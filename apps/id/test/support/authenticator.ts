import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { isoCBOR } from '@simplewebauthn/server/helpers';

/** A credential the authenticator holds, as a test may inspect it (the private key stays inside). */
export interface SoftwareCredential {
  /** base64url credential id. */
  id: string;
  rpId: string;
  /** base64url user handle the relying party gave at registration. */
  userHandle: string;
  userName: string;
  signCount: number;
}

interface StoredCredential extends SoftwareCredential {
  privateKey: KeyObject;
}

// Authenticator data flags (WebAuthn §6.1).
const FLAG_USER_PRESENT = 0x01;
const FLAG_USER_VERIFIED = 0x04;
const FLAG_ATTESTED_CREDENTIAL = 0x40;

// COSE (RFC 9053) labels and values for an ES256 P-256 public key.
const COSE_KTY = 1;
const COSE_ALG = 3;
const COSE_CRV = -1;
const COSE_X = -2;
const COSE_Y = -3;
const COSE_KTY_EC2 = 2;
const COSE_ALG_ES256 = -7;
const COSE_CRV_P256 = 1;

/** A fixed AAGUID, so the server sees a make it does not know. */
const AAGUID = Buffer.from('4865617274682d746573742d61757468', 'hex');

const sha256 = (data: Uint8Array | string): Buffer => createHash('sha256').update(data).digest();
const b64url = (data: Uint8Array): string => Buffer.from(data).toString('base64url');

function uint32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(value >>> 0);
  return buffer;
}

function uint16(value: number): Buffer {
  const buffer = Buffer.alloc(2);
  buffer.writeUInt16BE(value);
  return buffer;
}

/**
 * A platform authenticator in software, for tests: it makes real ES256 key pairs, real
 * authenticator data and "none" attestations, and signs assertions the way a browser's
 * authenticator does, so the server verifies its responses exactly as it would a phone's.
 * Credentials are resident (discoverable) and keep the user handle they were made with.
 */
export class SoftwareAuthenticator {
  /** The page origin the "browser" reports in clientDataJSON; change it to play a phishing site. */
  origin: string;
  /** Whether the person passes the PIN/biometric check; false leaves the UV flag off. */
  userVerified: boolean;
  private readonly rpIdOverride: string | undefined;
  private readonly stored: StoredCredential[] = [];

  constructor(options: { origin: string; rpId?: string; userVerified?: boolean }) {
    this.origin = options.origin;
    this.rpIdOverride = options.rpId;
    this.userVerified = options.userVerified ?? true;
  }

  /** What the authenticator holds, newest last. */
  get credentials(): readonly SoftwareCredential[] {
    return this.stored.map(({ privateKey: _privateKey, ...credential }) => ({ ...credential }));
  }

  private defaultRpId(): string {
    return this.rpIdOverride ?? new URL(this.origin).hostname;
  }

  private clientData(type: 'webauthn.create' | 'webauthn.get', challenge: string): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge, origin: this.origin, crossOrigin: false }), 'utf8');
  }

  private flags(extra = 0): number {
    return FLAG_USER_PRESENT | (this.userVerified ? FLAG_USER_VERIFIED : 0) | extra;
  }

  /** navigator.credentials.create(): a new resident ES256 credential for options.user. */
  register(options: PublicKeyCredentialCreationOptionsJSON): RegistrationResponseJSON {
    const rpId = this.rpIdOverride ?? options.rp.id ?? this.defaultRpId();
    if (!options.pubKeyCredParams.some((param) => param.alg === COSE_ALG_ES256)) {
      throw new Error('NotSupportedError: the relying party does not accept ES256');
    }
    const excluded = new Set((options.excludeCredentials ?? []).map((descriptor) => descriptor.id));
    if (this.stored.some((credential) => credential.rpId === rpId && excluded.has(credential.id))) {
      throw new Error('InvalidStateError: this authenticator already holds a credential for this account');
    }

    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    if (!jwk.x || !jwk.y) throw new Error('could not export the public key');
    const cosePublicKey = isoCBOR.encode(
      new Map<number, number | Uint8Array>([
        [COSE_KTY, COSE_KTY_EC2],
        [COSE_ALG, COSE_ALG_ES256],
        [COSE_CRV, COSE_CRV_P256],
        [COSE_X, Buffer.from(jwk.x, 'base64url')],
        [COSE_Y, Buffer.from(jwk.y, 'base64url')],
      ]),
    );
    const credentialId = randomBytes(32);
    const signCount = 0;
    const authenticatorData = Buffer.concat([
      sha256(rpId),
      Buffer.from([this.flags(FLAG_ATTESTED_CREDENTIAL)]),
      uint32(signCount),
      AAGUID,
      uint16(credentialId.length),
      credentialId,
      cosePublicKey,
    ]);
    const attestationObject = isoCBOR.encode(
      new Map<string, string | Uint8Array | Map<string, string>>([
        ['fmt', 'none'],
        ['attStmt', new Map<string, string>()],
        ['authData', authenticatorData],
      ]),
    );

    const id = b64url(credentialId);
    // A resident credential replaces any older one for the same account on this RP.
    const sameAccount = this.stored.findIndex((credential) => credential.rpId === rpId && credential.userHandle === options.user.id);
    if (sameAccount >= 0) this.stored.splice(sameAccount, 1);
    this.stored.push({ id, rpId, userHandle: options.user.id, userName: options.user.name, signCount, privateKey });

    return {
      id,
      rawId: id,
      type: 'public-key',
      response: {
        clientDataJSON: b64url(this.clientData('webauthn.create', options.challenge)),
        attestationObject: b64url(attestationObject),
        authenticatorData: b64url(authenticatorData),
        transports: ['internal', 'hybrid'],
        publicKeyAlgorithm: COSE_ALG_ES256,
        publicKey: b64url(publicKey.export({ format: 'der', type: 'spki' })),
      },
      authenticatorAttachment: 'platform',
      clientExtensionResults: { credProps: { rk: true } },
    };
  }

  /**
   * navigator.credentials.get(): signs the challenge with a credential for the RP: one from
   * allowCredentials when given, otherwise a resident one (the newest, or `credentialId`).
   */
  authenticate(options: PublicKeyCredentialRequestOptionsJSON, choose: { credentialId?: string } = {}): AuthenticationResponseJSON {
    const rpId = this.rpIdOverride ?? options.rpId ?? this.defaultRpId();
    const allowed = new Set((options.allowCredentials ?? []).map((descriptor) => descriptor.id));
    const candidates = this.stored.filter(
      (credential) =>
        credential.rpId === rpId &&
        (allowed.size === 0 || allowed.has(credential.id)) &&
        (choose.credentialId === undefined || credential.id === choose.credentialId),
    );
    const credential = candidates.at(-1);
    if (!credential) throw new Error(`NotAllowedError: no credential for ${rpId} on this authenticator`);

    credential.signCount += 1;
    const authenticatorData = Buffer.concat([sha256(rpId), Buffer.from([this.flags()]), uint32(credential.signCount)]);
    const clientDataJSON = this.clientData('webauthn.get', options.challenge);
    // ECDSA signatures come DER-encoded from node:crypto by default, which is what WebAuthn specifies.
    const signature = sign('sha256', Buffer.concat([authenticatorData, sha256(clientDataJSON)]), credential.privateKey);

    return {
      id: credential.id,
      rawId: credential.id,
      type: 'public-key',
      response: {
        clientDataJSON: b64url(clientDataJSON),
        authenticatorData: b64url(authenticatorData),
        signature: b64url(signature),
        userHandle: credential.userHandle,
      },
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
    };
  }
}
