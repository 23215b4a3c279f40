// Environment for child processes the tests start. tap collects coverage
// through NODE_V8_COVERAGE; a child run through tsx would write coverage for
// the same files with other source maps and garble the report, so children
// do not inherit it.
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.NODE_V8_COVERAGE;
  return env;
}
