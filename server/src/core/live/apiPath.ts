/**
 * @kubernetes/client-node's KubernetesObjectApi builds request paths from a manifest's apiVersion and kind without
 * encoding them (`/apis/` + apiVersion, then discovery's resource name), and lower-cases the whole path. A manifest
 * is written by a stranger: `apiVersion: x/v1/../../api/v1/namespaces/kube-system/secrets?` would send the user's
 * request (with the user's credentials) to another path or add a query. So before any request an object's apiVersion
 * must be a group (a DNS subdomain) and a version (a DNS label), and its kind an identifier: nothing in them can
 * then add a path segment, a query or an encoding.
 */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const KIND = /^[A-Za-z][A-Za-z0-9]*$/;

function isDnsSubdomain(s: string): boolean {
  return s.length > 0 && s.length <= 253 && s.split('.').every((label) => label.length <= 63 && DNS_LABEL.test(label));
}

/** Why an object's apiVersion or kind cannot go into a request path, or undefined when it can. */
export function apiPathProblem(apiVersion: unknown, kind: unknown): string | undefined {
  if (typeof apiVersion !== 'string' || apiVersion === '') return 'apiVersion is missing';
  const parts = apiVersion.split('/');
  const [group, version] = parts.length === 1 ? ['', parts[0]!] : parts.length === 2 ? [parts[0]!, parts[1]!] : [undefined, undefined];
  if (group === undefined || version === undefined) return `apiVersion ${JSON.stringify(apiVersion)} is not GROUP/VERSION`;
  if (group !== '' && !isDnsSubdomain(group)) return `the API group of apiVersion ${JSON.stringify(apiVersion)} is not a DNS subdomain`;
  if (version.length > 63 || !DNS_LABEL.test(version)) return `the version of apiVersion ${JSON.stringify(apiVersion)} is not a DNS label`;
  if (typeof kind !== 'string' || !KIND.test(kind) || kind.length > 253) return `kind ${JSON.stringify(kind)} is not a Kubernetes kind (letters and digits)`;
  return undefined;
}
