// Types for ci-tools.mjs.
export declare const PRE_COMMIT_VERSION: string;
export declare const GITLAB_CI_LOCAL_VERSION: string;
/** Path of the pinned `pre-commit` executable (installed from PyPI on first use). */
export declare function ensurePreCommit(): string;
/** Path of the pinned gitlab-ci-local entry script, to run with node (installed from npm on first use). */
export declare function ensureGitlabCiLocal(): string;
export declare const ACT_VERSION: string;
/** Path of the pinned nektos/act executable (built from its Go module on first use). */
export declare function ensureAct(): string;
