/** `--name value` pairs of a scenario child's command line; a missing required one is a clear error. */
export function childArgs(argv: readonly string[]): { need(name: string): string; get(name: string): string | undefined } {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i];
    const value = argv[i + 1];
    if (name === undefined || !name.startsWith('--') || value === undefined) throw new Error(`expected --name value pairs, got ${argv.slice(i).join(' ')}`);
    values.set(name.slice(2), value);
  }
  return {
    get: (name) => values.get(name),
    need(name) {
      const value = values.get(name);
      if (value === undefined) throw new Error(`--${name} is required`);
      return value;
    },
  };
}
