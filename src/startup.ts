/**
 * How the process entries (the gateway, the demo, the emulators) fail at start: one line on
 * stderr saying what failed, which variable and what to do, then exit 1. Shared by the entries
 * of both sides, it imports nothing of either.
 */

/** Settings the process cannot start with; the message names each variable. */
export class SettingError extends Error {
  override name = 'SettingError';
}

export interface SettingIssue {
  path: readonly PropertyKey[];
  message: string;
}

/** One line naming each bad variable, its problem and its value, and what to do about it. */
export function settingProblems(
  issues: readonly SettingIssue[],
  env: Record<string, string | undefined>,
): string {
  const problems = issues.map((issue) => {
    const name = issue.path.map(String).join('.');
    return `${name}: ${issue.message} (got ${JSON.stringify(env[name] ?? null)})`;
  });
  return `Invalid configuration: ${problems.join('; ')}. Fix the value or unset the variable to use its default.`;
}

const LISTEN_PROBLEMS: Record<string, string> = {
  EADDRINUSE: 'the port is already in use. Stop what is using it, or set',
  EACCES: 'this user may not use that port. Set',
};

/** Why a server could not listen, as a sentence, or undefined for any other error. */
function listenFailure(error: unknown, portVariables: Record<string, number>) {
  const { code, syscall, address, port } = error as Partial<
    NodeJS.ErrnoException & { address: string; port: number }
  >;
  const problem = code && LISTEN_PROBLEMS[code];
  if (syscall !== 'listen' || !problem || port === undefined) return undefined;
  const variable =
    Object.keys(portVariables).find((name) => portVariables[name] === port) ?? 'the port setting';
  const host = address?.includes(':') ? `[${address}]` : address;
  return `Cannot listen on ${host}:${port}: ${problem} ${variable} to a free port.`;
}

function exitAtStart(message: unknown): never {
  console.error(message);
  process.exit(1);
}

/** The settings `load` reads; a bad one ends the process with one line naming it. */
export function settingsOrExit<T>(load: () => T): T {
  try {
    return load();
  } catch (error) {
    if (error instanceof SettingError) exitAtStart(error.message);
    throw error;
  }
}

/**
 * Runs `start`, which listens. A port it cannot listen on ends the process with one line saying
 * so and naming the variable that chose it (`portVariables`: each variable with its port).
 */
export async function listenOrExit<T>(
  start: () => Promise<T>,
  portVariables: Record<string, number>,
): Promise<T> {
  try {
    return await start();
  } catch (error) {
    exitAtStart(listenFailure(error, portVariables) ?? error);
  }
}
