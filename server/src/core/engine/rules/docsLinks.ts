/** kubernetes.io pages the rule catalogue links to. */
export const GP = 'https://kubernetes.io/docs/concepts/security/rbac-good-practices/';
export const RBAC = 'https://kubernetes.io/docs/reference/access-authn-authz/rbac/';
