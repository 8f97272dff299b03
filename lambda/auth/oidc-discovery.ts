import { JwksNotAvailableInCacheError } from 'aws-jwt-verify/error';
import type { TokenVerifier } from './scope-authorizer.js';

/** What fetches a document over https: aws-jwt-verify's SimpleFetcher (timeouts, one retry). */
export interface DocumentFetcher {
  fetch(uri: string): Promise<ArrayBuffer>;
}

/** The issuer's discovery document could not be had or names no usable keys: not the token's fault. */
export class IssuerDiscoveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IssuerDiscoveryError';
  }
}

/**
 * The `jwks_uri` of an OpenID Connect issuer, from `<issuer>/.well-known/openid-configuration`
 * (OpenID Connect Discovery 1.0 §4), which must name that same issuer (§4.3) and an https URI.
 * Keycloak, Auth0 and Okta publish their keys elsewhere than `<issuer>/.well-known/jwks.json`.
 */
export async function discoverJwksUri(issuer: string, fetcher: DocumentFetcher): Promise<string> {
  const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  let document: { issuer?: unknown; jwks_uri?: unknown };
  try {
    document = JSON.parse(new TextDecoder().decode(await fetcher.fetch(url)));
  } catch (error) {
    throw new IssuerDiscoveryError(`${url}: ${(error as Error).message}`);
  }
  if (document?.issuer !== issuer) {
    throw new IssuerDiscoveryError(`${url} names the issuer ${JSON.stringify(document?.issuer)}, not ${issuer}`);
  }
  if (typeof document.jwks_uri !== 'string' || !document.jwks_uri.startsWith('https://')) {
    throw new IssuerDiscoveryError(`${url} names no https jwks_uri`);
  }
  return document.jwks_uri;
}

/**
 * A verifier that learns where the issuer's keys are at its first use, from the issuer's
 * discovery document, once per container: concurrent first requests share one fetch, and a
 * failed one is tried again by the next request. Until then, `verifySync` reports the keys as
 * not cached, which sends the authorizer to `verify`.
 */
export function discoveringVerifier(
  issuer: string,
  fetcher: DocumentFetcher,
  verifierFor: (jwksUri: string) => TokenVerifier,
): TokenVerifier {
  let ready: TokenVerifier | undefined;
  let discovering: Promise<TokenVerifier> | undefined;
  const discover = () => {
    discovering ??= discoverJwksUri(issuer, fetcher).then(
      (jwksUri) => {
        ready = verifierFor(jwksUri);
        return ready;
      },
      (error: unknown) => {
        discovering = undefined;
        throw error;
      },
    );
    return discovering;
  };
  return {
    verifySync(token) {
      if (!ready) throw new JwksNotAvailableInCacheError(`the keys of ${issuer} are not known yet`);
      return ready.verifySync(token);
    },
    async verify(token) {
      return (ready ?? (await discover())).verify(token);
    },
  };
}
