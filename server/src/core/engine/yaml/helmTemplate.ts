/**
 * Raw Helm templates are Go templates that render to YAML; as text they are not YAML (`{{- if ... }}` lines, values
 * spliced into indentation), so parsing them reports hundreds of false syntax errors. A file is taken for a template
 * when it holds Helm template actions (control structures, trim markers, .Values/.Release/.Chart..., include/toYaml),
 * or any `{{ ... }}` action while it sits in a chart's `templates/` folder. `${{ }}` (GitHub Actions) and `{{ }}`
 * inside other tools' strings elsewhere do not count.
 */
import type { Finding } from '../model';

/** An action only Go/Helm templates write: a keyword or function after `{{`, a trim marker, or a Helm object. */
const HELM_ACTION =
  /(?<!\$)\{\{-?\s*(?:(?:if|else|end|range|with|define|block|include|template|toYaml|tpl|required|default|printf|quote|lookup)\b|\/\*|\.(?:Values|Release|Chart|Capabilities|Template|Files)\b|\$[A-Za-z_.])|(?<!\$)\{\{-\s|\s-\}\}/;
const ANY_ACTION = /(?<!\$)\{\{[^{}\n]*\}\}/;
const IN_TEMPLATES = /(^|[\\/])templates[\\/][^\\/]*$/;

export function isHelmTemplate(text: string, fileName?: string): boolean {
  if (!text.includes('{{')) return false;
  if (HELM_ACTION.test(text)) return true;
  return fileName !== undefined && IN_TEMPLATES.test(fileName) && ANY_ACTION.test(text);
}

/** The one finding for a template file, on its first template action. */
export function helmTemplateFinding(text: string, fileName?: string): Finding | undefined {
  if (!isHelmTemplate(text, fileName)) return undefined;
  const at = Math.max(0, text.indexOf('{{'));
  const lineEnd = text.indexOf('\n', at);
  return {
    ruleId: 'helm-template',
    severity: 'information',
    message:
      'This is an unrendered Helm template ({{ ... }} actions), not YAML: it is not checked as written. Render the chart and check the output: helm template <release> <chart> > rendered.yaml, then pipeline-rbac check rendered.yaml.',
    span: { start: at, end: lineEnd < 0 ? text.length : lineEnd },
  };
}
