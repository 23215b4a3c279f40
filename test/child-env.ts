// How tests start our own TypeScript in a child Node process. tap instruments
// every process its children spawn (it wraps spawn and injects NODE_OPTIONS);
// a child that runs our sources through tsx would then report coverage for
// the same files with other source maps and garble the report. `env -u`
// clears the injected variables just before the child Node starts.
const cleared = ['NODE_OPTIONS', 'NODE_V8_COVERAGE'];

export function nodeCommand(args: readonly string[]): { command: string; args: string[] } {
  return {
    command: 'env',
    args: [...cleared.flatMap((name) => ['-u', name]), process.execPath, '--import', 'tsx', ...args],
  };
}

export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!cleared.includes(k) && !k.startsWith('_TAPJS_')) env[k] = v;
  }
  return { ...env, ...extra };
}
