import * as jose from 'jose';

export const LOCAL_TOKEN_ISSUER = 'amsnet-clinic';
export const LOCAL_TOKEN_AUDIENCE = 'amsnet-clinic-api';

export interface IssuedToken {
  token: string;
  expiresAt: Date;
}

export interface TokenOptions {
  now?: Date;
  /** The user's token version when issued: a later password change, disable or role change refuses it. */
  tokenVersion?: number;
  /** The sign-in (user_session row) this token belongs to. */
  sessionId?: string;
  /** When the user proved its password; renewals keep it, so a session has a maximum age. */
  signedInAt?: Date;
}

export interface VerifiedToken {
  userId: string;
  tokenVersion: number;
  sessionId: string | undefined;
  signedInAt: Date;
}

/** Verified tokens remembered per process (a few hundred bytes each). */
const VERIFIED_TOKENS_KEPT = 10_000;

/**
 * The API's own session tokens: HS256 JWTs (jose) with a short lifetime (JWT_TTL_SECONDS), never
 * valid past `signedInAt` + SESSION_MAX_AGE_SECONDS (`auth_time` + max age), however often renewed.
 * Each carries the user's token version (`ver`), checked against the user row on every request.
 */
export class LocalTokenSigner {
  private readonly key: Uint8Array;
  /**
   * Tokens whose signature and claims were verified, until they expire: a session's client sends
   * the same token with every request, and checking its HMAC each time was ~5 % of a cycle view's
   * CPU (bench:api --profile). Only what the token itself says is remembered; the user, its token
   * version, the session and the memberships are still read on every request, so a revocation
   * takes effect on the next one. Bounded: the oldest entry goes first.
   */
  private readonly verified = new Map<string, { claims: VerifiedToken; expiresAtSeconds: number }>();

  constructor(
    secret: string,
    private readonly ttlSeconds: number,
    readonly maxSessionAgeSeconds: number = 12 * 3600,
  ) {
    if (secret.length < 32) throw new Error('JWT secret must be at least 32 characters');
    this.key = new TextEncoder().encode(secret);
  }

  /** Seconds left before the session that began at `signedInAt` reaches its maximum age. */
  sessionSecondsLeft(signedInAt: Date, now: Date = new Date()): number {
    return Math.floor((signedInAt.getTime() + this.maxSessionAgeSeconds * 1000 - now.getTime()) / 1000);
  }

  async issue(userId: string, options: TokenOptions = {}): Promise<IssuedToken> {
    const now = options.now ?? new Date();
    const issuedAt = Math.floor(now.getTime() / 1000);
    const signedInAt = Math.floor((options.signedInAt ?? now).getTime() / 1000);
    const expiresAt = Math.min(issuedAt + this.ttlSeconds, signedInAt + this.maxSessionAgeSeconds);
    if (expiresAt <= issuedAt) throw new Error('the session has reached its maximum age');
    const claims: jose.JWTPayload = { ver: options.tokenVersion ?? 0, auth_time: signedInAt };
    if (options.sessionId) claims.sid = options.sessionId;
    const token = await new jose.SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(userId)
      .setIssuer(LOCAL_TOKEN_ISSUER)
      .setAudience(LOCAL_TOKEN_AUDIENCE)
      .setIssuedAt(issuedAt)
      .setExpirationTime(expiresAt)
      .setJti(crypto.randomUUID())
      .sign(this.key);
    return { token, expiresAt: new Date(expiresAt * 1000) };
  }

  /** The claims of a valid token; throws (jose errors) for a forged, expired, foreign or too old one. */
  async verify(token: string): Promise<VerifiedToken> {
    const known = this.verified.get(token);
    if (known) {
      // jose refuses a token once `exp` <= now (in whole seconds); so do we
      const stillValid =
        Math.floor(Date.now() / 1000) < known.expiresAtSeconds && this.sessionSecondsLeft(known.claims.signedInAt) > 0;
      if (stillValid) return known.claims;
      this.verified.delete(token);
    }
    const claims = await this.verifySignatureAndClaims(token);
    if (this.verified.size >= VERIFIED_TOKENS_KEPT) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, { claims, expiresAtSeconds: claims.expiresAtSeconds });
    return claims;
  }

  private async verifySignatureAndClaims(token: string): Promise<VerifiedToken & { expiresAtSeconds: number }> {
    const { payload } = await jose.jwtVerify(token, this.key, {
      algorithms: ['HS256'],
      issuer: LOCAL_TOKEN_ISSUER,
      audience: LOCAL_TOKEN_AUDIENCE,
      requiredClaims: ['sub', 'exp', 'ver', 'auth_time'],
    });
    if (typeof payload.ver !== 'number' || typeof payload.auth_time !== 'number')
      throw new Error('token claims of the wrong type');
    const signedInAt = new Date(payload.auth_time * 1000);
    if (this.sessionSecondsLeft(signedInAt) <= 0) throw new Error('session past its maximum age');
    return {
      userId: payload.sub as string,
      tokenVersion: payload.ver,
      sessionId: typeof payload.sid === 'string' ? payload.sid : undefined,
      signedInAt,
      expiresAtSeconds: payload.exp!,
    };
  }
}
