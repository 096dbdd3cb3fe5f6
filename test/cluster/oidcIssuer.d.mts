// Types for oidcIssuer.mjs (the test cluster's CI OIDC issuers).
export declare const PROVIDERS: readonly ['github', 'gitlab'];
export declare const ISSUER_SCRIPT: string;
export interface TestIssuer {
  url: string;
  port: number;
  path: string;
  kid: string;
  privateJwk: JsonWebKey;
}
export declare function generateIssuers(dir: string, ports: { github: number; gitlab: number }): Record<'github' | 'gitlab', TestIssuer>;
export declare function readIssuers(dir: string): Record<'github' | 'gitlab', TestIssuer>;
/** Signs the claims exactly as given with the key of the issuer whose URL is claims.iss. */
export declare function signToken(dir: string, claims: Record<string, unknown>): Promise<string>;
export declare function issuersReady(dir: string): Promise<boolean>;
export declare function writeAuthConfig(repoRoot: string, dir: string, output: string): void;
export declare function serve(dir: string): void;
