// Widget options often hold credentials (a Glances password, a weather API key, a token).
// Widgets that need them read their data through the server, which adds them there, so a
// browser never needs them and the filtered view leaves them out.

/** Option names that hold a credential, at any depth (`headers: { Authorization }` too). */
const SECRET_OPTION = /passw|passphrase|secret|token|api[-_]?key|access[-_]?key|private[-_]?key|credential|authorization|cookie|^key$/i;

export function isSecretOptionName(name: string): boolean {
  return SECRET_OPTION.test(name);
}

function withoutSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSecrets);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([name]) => !isSecretOptionName(name))
      .map(([name, inner]) => [name, withoutSecrets(inner)]),
  );
}

/** The section as a non-admin receives it: its widgets without credentials; the input is not modified. */
export function withoutWidgetSecrets<S extends { widgets?: readonly unknown[] | undefined }>(section: S): S {
  if (!section.widgets) return section;
  return { ...section, widgets: section.widgets.map(withoutSecrets) };
}
