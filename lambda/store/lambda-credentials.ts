import { fromEnv } from '@aws-sdk/credential-provider-env';

/**
 * Stands in for `@aws-sdk/credential-provider-node` in the function bundles (an esbuild alias in
 * lib/function-bundling.ts). Lambda hands a function its role's credentials in environment
 * variables; the full default chain (SSO, STS, INI files, instance metadata) only adds 80 KB
 * of code to load on every cold start. Local runs use the source, with the full chain.
 */
export const defaultProvider: typeof fromEnv = (init) => fromEnv(init);
