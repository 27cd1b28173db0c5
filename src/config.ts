import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);
const positiveMs = z.coerce.number().int().min(1);
const httpUrl = z.url({ protocol: /^https?$/ }).transform((url) => url.replace(/\/+$/, ''));

const envSchema = z.object({
  PORT: port.default(4000),
  HOST: z.string().min(1).default('0.0.0.0'),
  FAL_API_URL: httpUrl.default('https://api.fal.ai/v1'),
  DIFY_API_URL: httpUrl.default('https://api.dify.ai/v1'),
  FAL_LEGACY_API_URL: httpUrl.optional(),
  UPSTREAM_CONNECT_TIMEOUT_MS: positiveMs.default(5_000),
  UPSTREAM_HEADERS_TIMEOUT_MS: positiveMs.default(15_000),
  UPSTREAM_BODY_TIMEOUT_MS: positiveMs.default(30_000),
  UPSTREAM_MAX_CONNECTIONS: z.coerce.number().int().min(1).max(1024).default(64),
  CURSOR_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  GRAPHIQL: z.stringbool().default(true),
});

export interface Config {
  port: number;
  host: string;
  falApiUrl: string;
  difyApiUrl: string;
  falLegacyApiUrl: string | undefined;
  upstream: {
    connectTimeoutMs: number;
    headersTimeoutMs: number;
    bodyTimeoutMs: number;
    maxConnections: number;
  };
  /** Signs pagination cursors; without one, a random per-process secret is used. */
  cursorSecret: string | undefined;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  graphiql: boolean;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads the gateway's settings from the environment; a bad value throws a ConfigError naming it. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = issue.path.join('.');
      return `${name}: ${issue.message} (got ${JSON.stringify(env[name] ?? null)})`;
    });
    throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    falApiUrl: e.FAL_API_URL,
    difyApiUrl: e.DIFY_API_URL,
    falLegacyApiUrl: e.FAL_LEGACY_API_URL,
    upstream: {
      connectTimeoutMs: e.UPSTREAM_CONNECT_TIMEOUT_MS,
      headersTimeoutMs: e.UPSTREAM_HEADERS_TIMEOUT_MS,
      bodyTimeoutMs: e.UPSTREAM_BODY_TIMEOUT_MS,
      maxConnections: e.UPSTREAM_MAX_CONNECTIONS,
    },
    cursorSecret: e.CURSOR_SECRET,
    logLevel: e.LOG_LEVEL,
    graphiql: e.GRAPHIQL,
  };
}
