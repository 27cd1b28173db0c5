import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('loadConfig', () => {
  it('has defaults for every setting', () => {
    const config = loadConfig({});
    expect(config.port).toBe(4000);
    expect(config.falApiUrl).toBe('https://api.fal.ai/v1');
    expect(config.difyApiUrl).toBe('https://api.dify.ai/v1');
    expect(config.cursorSecret).toBeUndefined();
    expect(config.maxSubscriptionsPerClient).toBe(100);
    expect(config.tail.streamWaitMs).toBe(2_000);
    expect(config.falLogsApi).toBe('v1');
    expect(config.falLegacyApiUrl).toBe('https://rest.alpha.fal.ai');
    expect(config.falLegacyPollIntervalMs).toBe(1000);
    expect(config.upstream.maxBodyBytes).toBe(32 * 1024 * 1024);
    expect(config.upstream.maxEventBytes).toBe(1024 * 1024);
    expect(config.redis).toBeUndefined();
  });

  it('reads the Redis settings, sharing CURSOR_SECRET with the other replicas', () => {
    const secret = 'a secret every replica has';
    expect(
      loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379/2', CURSOR_SECRET: secret }).redis,
    ).toEqual({
      url: 'redis://127.0.0.1:6379/2',
      keyPrefix: 'ai-logs-gateway:',
      leaseTtlMs: 5_000,
      leaseRenewMs: 1_000,
      streamMaxLen: 1_000,
      secret,
    });
    expect(
      loadConfig({
        REDIS_URL: 'rediss://cache.internal:6380',
        CURSOR_SECRET: secret,
        REDIS_KEY_PREFIX: 'logs:staging:',
        REDIS_LEASE_TTL_MS: '2000',
        REDIS_LEASE_RENEW_MS: '500',
        REDIS_STREAM_MAX_LEN: '5000',
      }).redis,
    ).toMatchObject({
      keyPrefix: 'logs:staging:',
      leaseTtlMs: 2_000,
      leaseRenewMs: 500,
      streamMaxLen: 5_000,
    });
  });

  it('refuses REDIS_URL without CURSOR_SECRET, and a renewal slower than half the lease', () => {
    expect(() => loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' })).toThrow(
      /CURSOR_SECRET: must be set \(the same on every replica\) when REDIS_URL is/,
    );
    expect(() => loadConfig({ REDIS_LEASE_TTL_MS: '2000', REDIS_LEASE_RENEW_MS: '1500' })).toThrow(
      /REDIS_LEASE_RENEW_MS: must be at most half of REDIS_LEASE_TTL_MS/,
    );
  });

  it('reads the fal legacy logs settings', () => {
    const config = loadConfig({
      FAL_LOGS_API: 'legacy',
      FAL_LEGACY_API_URL: 'http://127.0.0.1:9/',
      FAL_LEGACY_POLL_INTERVAL_MS: '250',
    });
    expect(config).toMatchObject({
      falLogsApi: 'legacy',
      falLegacyApiUrl: 'http://127.0.0.1:9',
      falLegacyPollIntervalMs: 250,
    });
  });

  it('reads the upstream read bounds', () => {
    const config = loadConfig({
      UPSTREAM_MAX_BODY_BYTES: '65536',
      UPSTREAM_MAX_EVENT_BYTES: '4096',
    });
    expect(config.upstream).toMatchObject({ maxBodyBytes: 65_536, maxEventBytes: 4_096 });
  });

  it('drops a trailing slash from upstream URLs', () => {
    expect(loadConfig({ FAL_API_URL: 'http://127.0.0.1:9/v1/' }).falApiUrl).toBe(
      'http://127.0.0.1:9/v1',
    );
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['FAL_API_URL', 'not a url'],
    ['DIFY_API_URL', 'ftp://example.com'],
    ['UPSTREAM_HEADERS_TIMEOUT_MS', '0'],
    ['UPSTREAM_MAX_BODY_BYTES', '-1'],
    ['UPSTREAM_MAX_EVENT_BYTES', '1mb'],
    ['LOG_LEVEL', 'loud'],
    ['GRAPHIQL', 'maybe'],
    ['CURSOR_SECRET', 'short'],
    ['MAX_SUBSCRIPTIONS_PER_CLIENT', '0'],
    ['TAIL_STREAM_WAIT_MS', '-1'],
    ['FAL_LOGS_API', 'v2'],
    ['FAL_LOGS_API', 'LEGACY'],
    ['FAL_LEGACY_API_URL', 'rest.alpha.fal.ai'],
    ['FAL_LEGACY_POLL_INTERVAL_MS', '0'],
    ['FAL_LEGACY_POLL_INTERVAL_MS', 'often'],
    ['HTTP_REQUEST_TIMEOUT_MS', '0'],
    ['STREAM_RESERVATION_TTL_MS', 'soon'],
    ['MAX_STREAM_RESERVATIONS_PER_CLIENT', '0'],
    ['MAX_STREAM_RESERVATIONS', '-1'],
    ['METRICS_MAX_OPERATION_NAMES', 'many'],
    ['REDIS_URL', 'http://127.0.0.1:6379'],
    ['REDIS_URL', 'localhost:6379'],
    ['REDIS_KEY_PREFIX', 'has spaces'],
    ['REDIS_LEASE_TTL_MS', '100'],
    ['REDIS_LEASE_RENEW_MS', '0'],
    ['REDIS_STREAM_MAX_LEN', '10'],
  ])('names %s when it is %j', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`${name}:`));
  });

  it('bounds what the HTTP server waits for, and keeps the headers within the request', () => {
    const config = loadConfig({});
    expect(config.http).toEqual({ requestTimeoutMs: 30_000, headersTimeoutMs: 10_000 });
    expect(config.streamReservations).toEqual({
      ttlMs: 15_000,
      maxPerClient: 100,
      maxTotal: 10_000,
    });
    expect(config.metricsMaxOperationNames).toBe(100);
    expect(() =>
      loadConfig({ HTTP_REQUEST_TIMEOUT_MS: '5000', HTTP_HEADERS_TIMEOUT_MS: '6000' }),
    ).toThrow(/HTTP_HEADERS_TIMEOUT_MS: must not exceed HTTP_REQUEST_TIMEOUT_MS/);
  });
});
