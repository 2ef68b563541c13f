// Terraform parses every string of a `.tf.json` file as a template: a literal `${` starts an
// interpolation and `%{` a directive. cdktf writes plain strings as they are, so free text that
// may contain them (rule files, Alertmanager templates, alarm descriptions, CloudWatch dynamic
// labels such as `${PROP('Dim.InstanceId')}`) must be escaped, or `terraform validate` fails.

/** Escapes plain text (never a cdktf token or reference) so Terraform passes it on unchanged. */
export function terraformLiteral<T extends string | undefined>(text: T): T {
  // Function replacements: in a replacement string "$$" would collapse to a single "$".
  return (text === undefined ? text : text.replace(/\$\{/g, () => "$${").replace(/%\{/g, () => "%%{")) as T;
}

export function terraformLiteralValues(values: Record<string, string>): Record<string, string>;
export function terraformLiteralValues(values: Record<string, string> | undefined): Record<string, string> | undefined;
export function terraformLiteralValues(values: Record<string, string> | undefined): Record<string, string> | undefined {
  return values && Object.fromEntries(Object.entries(values).map(([k, v]) => [k, terraformLiteral(v)]));
}
