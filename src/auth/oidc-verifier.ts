import * as jose from 'jose';
import type { OidcConfig } from '../platform/config';

/** Only asymmetric algorithms: a provider's token can never be checked with a shared secret. */
const OIDC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

/**
 * Verifies bearer tokens of the hospital's identity provider against its JWKS (found through the
 * issuer's discovery document, cached and refreshed by jose when keys rotate) and returns the
 * e-mail claim named by OIDC_EMAIL_CLAIM (a dotted path, e.g. `email` or `ext.mail`). The audience
 * (OIDC_AUDIENCE) is required by the configuration, and `email_verified` must be true.
 */
export class OidcVerifier {
  private jwks: Promise<ReturnType<typeof jose.createRemoteJWKSet>> | undefined;

  constructor(readonly config: OidcConfig) {}

  async verifyEmail(token: string): Promise<string> {
    const { payload } = await jose.jwtVerify(token, await this.keySet(), {
      algorithms: OIDC_ALGORITHMS,
      issuer: this.config.issuer,
      audience: this.config.audience,
      requiredClaims: ['exp'],
    });
    // users are mapped by e-mail: only an address the provider says it verified vouches for who this is
    if (payload.email_verified !== true)
      throw new Error('the identity provider has not said this e-mail address is verified (email_verified)');
    const email = claimAt(payload, this.config.emailClaim);
    if (typeof email !== 'string' || !email.includes('@'))
      throw new Error(`token has no e-mail in claim "${this.config.emailClaim}"`);
    return email.trim().toLowerCase();
  }

  private keySet(): Promise<ReturnType<typeof jose.createRemoteJWKSet>> {
    this.jwks ??= this.discoverJwksUri().then((uri) => jose.createRemoteJWKSet(new URL(uri)));
    // a failed discovery is retried by the next request instead of being cached forever
    this.jwks.catch(() => (this.jwks = undefined));
    return this.jwks;
  }

  private async discoverJwksUri(): Promise<string> {
    const base = this.config.issuer.replace(/\/+$/, '');
    const response = await fetch(`${base}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(5000) });
    if (!response.ok) throw new Error(`OIDC discovery failed: HTTP ${response.status}`);
    const document = (await response.json()) as { jwks_uri?: unknown };
    if (typeof document.jwks_uri !== 'string') throw new Error('OIDC discovery document has no jwks_uri');
    return document.jwks_uri;
  }
}

function claimAt(payload: jose.JWTPayload, path: string): unknown {
  if (path in payload) return payload[path];
  return path
    .split('.')
    .reduce<unknown>(
      (value, key) => (value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined),
      payload,
    );
}
