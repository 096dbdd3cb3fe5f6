// Types for seed.mjs (what `test/cluster/up` seeds).
export interface SeedPolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}
export declare const NAMESPACES: readonly ['team-a', 'team-b'];
export declare const USERS: ReadonlyArray<{ name: 'admin' | 'developer' | 'viewer'; groups: string[] }>;
/** Rules of the Role `developer` in team-a. */
export declare const DEVELOPER_RULES: readonly SeedPolicyRule[];
export declare function seedObjects(): Array<{ path: string; body: Record<string, unknown> }>;
