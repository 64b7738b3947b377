import * as jose from 'jose';

export const LOCAL_TOKEN_ISSUER = 'amsnet-clinic';
export const LOCAL_TOKEN_AUDIENCE = 'amsnet-clinic-api';

export interface IssuedToken {
  token: string;
  expiresAt: Date;
}

/**
 * The API's own session tokens: HS256 JWTs (jose) with a short lifetime (JWT_TTL_SECONDS). There
 * is no long-lived refresh token: a client renews a still-valid token with `refreshToken` or signs
 * in again, so a disabled user or a revoked membership takes effect at the next request anyway
 * (every request reloads the user and its memberships).
 */
export class LocalTokenSigner {
  private readonly key: Uint8Array;

  constructor(
    secret: string,
    private readonly ttlSeconds: number,
  ) {
    if (secret.length < 32) throw new Error('JWT secret must be at least 32 characters');
    this.key = new TextEncoder().encode(secret);
  }

  async issue(userId: string, now: Date = new Date()): Promise<IssuedToken> {
    const issuedAt = Math.floor(now.getTime() / 1000);
    const expiresAt = issuedAt + this.ttlSeconds;
    const token = await new jose.SignJWT({})
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

  /** The user id of a valid token; throws (jose errors) for a forged, expired or foreign one. */
  async verify(token: string): Promise<string> {
    const { payload } = await jose.jwtVerify(token, this.key, {
      algorithms: ['HS256'],
      issuer: LOCAL_TOKEN_ISSUER,
      audience: LOCAL_TOKEN_AUDIENCE,
      requiredClaims: ['sub', 'exp'],
    });
    return payload.sub as string;
  }
}
