import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
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

  it('polls live feeds every 3 seconds unless told otherwise', () => {
    expect(loadConfig({})).toMatchObject({
      difyPollIntervalMs: 3_000,
      falRequestsPollIntervalMs: 3_000,
    });
    expect(
      loadConfig({ DIFY_POLL_INTERVAL_MS: '50', FAL_REQUESTS_POLL_INTERVAL_MS: '75' }),
    ).toMatchObject({ difyPollIntervalMs: 50, falRequestsPollIntervalMs: 75 });
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
    ['DIFY_POLL_INTERVAL_MS', '0'],
    ['DIFY_POLL_INTERVAL_MS', 'often'],
    ['FAL_REQUESTS_POLL_INTERVAL_MS', '-5'],
    ['HTTP_REQUEST_TIMEOUT_MS', '0'],
    ['STREAM_RESERVATION_TTL_MS', 'soon'],
    ['MAX_STREAM_RESERVATIONS_PER_CLIENT', '0'],
    ['MAX_STREAM_RESERVATIONS', '-1'],
    ['METRICS_MAX_OPERATION_NAMES', 'many'],
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'collector:4318'],
    ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'grpc://collector:4317'],
    ['OTEL_EXPORTER_OTLP_PROTOCOL', 'grpc'],
    ['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'json'],
    ['OTEL_TRACES_SAMPLER', 'sometimes'],
    ['OTEL_TRACES_SAMPLER_ARG', '1.5'],
    ['OTEL_SDK_DISABLED', 'maybe'],
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

  describe('tracing', () => {
    const endpoint = 'http://collector:4318';

    it('is on only when an OTLP endpoint is set and the SDK is not disabled', () => {
      expect(loadConfig({}).tracing).toBeUndefined();
      expect(loadConfig({ OTEL_TRACES_SAMPLER: 'always_on' }).tracing).toBeUndefined();
      expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint }).tracing).toBeDefined();
      expect(
        loadConfig({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${endpoint}/v1/traces` }).tracing,
      ).toBeDefined();
      expect(
        loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_SDK_DISABLED: 'true' }).tracing,
      ).toBeUndefined();
    });

    it('exports protobuf unless told JSON, the traces setting before the general one', () => {
      expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint }).tracing).toEqual({
        protocol: 'http/protobuf',
      });
      expect(
        loadConfig({
          OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
          OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        }).tracing,
      ).toEqual({ protocol: 'http/json' });
      expect(
        loadConfig({
          OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
          OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
          OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf',
        }).tracing,
      ).toEqual({ protocol: 'http/protobuf' });
    });

    it('refuses gRPC with a sentence saying why', () => {
      expect(() => loadConfig({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toThrow(
        /OTEL_EXPORTER_OTLP_PROTOCOL: must be http\/protobuf or http\/json \(the gateway does not export over gRPC\)/,
      );
    });
  });
});

describe('persisted documents settings', () => {
  const directory = mkdtempSync(join(tmpdir(), 'persisted-documents-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));
  let files = 0;
  const manifestFile = (text: string) => {
    const path = join(directory, `manifest-${(files += 1)}.json`);
    writeFileSync(path, text);
    return path;
  };
  const document = '{ __typename }';
  const hash = createHash('sha256').update(document).digest('hex');

  it('are off by default, and read a manifest by id, in its sha256: form or as the bare hash', () => {
    expect(loadConfig({}).persistedDocuments).toBeUndefined();
    const path = manifestFile(JSON.stringify({ [`sha256:${hash}`]: document }));
    const config = loadConfig({ PERSISTED_DOCUMENTS: path });
    expect(config.persistedDocuments).toEqual({
      path,
      manifest: new Map([[hash, document]]),
      only: false,
    });
    expect(config.graphiql).toBe(true);
    const bare = loadConfig({
      PERSISTED_DOCUMENTS: manifestFile(JSON.stringify({ [hash]: document })),
    });
    expect(bare.persistedDocuments?.manifest).toEqual(new Map([[hash, document]]));
  });

  it('turn GraphiQL off when only persisted documents run', () => {
    const path = manifestFile(JSON.stringify({ [hash]: document }));
    const config = loadConfig({
      PERSISTED_DOCUMENTS: path,
      PERSISTED_ONLY: 'true',
      GRAPHIQL: 'true',
    });
    expect(config.persistedDocuments?.only).toBe(true);
    expect(config.graphiql).toBe(false);
  });

  it.each([
    ['a missing file', () => join(directory, 'absent.json'), /cannot read the manifest/],
    ['text that is not JSON', () => manifestFile('{ nope'), /not JSON/],
    ['a JSON array', () => manifestFile('[]'), /not a JSON object/],
    [
      'an id that is not a SHA-256',
      () => manifestFile('{"FalLogsPage": "{ __typename }"}'),
      /not a SHA-256 id/,
    ],
    [
      'a document that is not text',
      () => manifestFile(JSON.stringify({ [hash]: 1 })),
      /not a string/,
    ],
    [
      "an id that is not its document's hash",
      () => manifestFile(JSON.stringify({ [hash]: '{ falLogs { edges { cursor } } }' })),
      /not the SHA-256 of its document/,
    ],
    ['no documents', () => manifestFile('{}'), /holds no documents/],
  ])('name PERSISTED_DOCUMENTS for %s', (_, path, says) => {
    const load = () => loadConfig({ PERSISTED_DOCUMENTS: path() });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/PERSISTED_DOCUMENTS: /);
    expect(load).toThrow(says);
  });

  it('name PERSISTED_ONLY when it has no manifest to go by, or is not a boolean', () => {
    expect(() => loadConfig({ PERSISTED_ONLY: 'true' })).toThrow(
      /PERSISTED_ONLY: needs PERSISTED_DOCUMENTS/,
    );
    expect(() => loadConfig({ PERSISTED_ONLY: 'maybe' })).toThrow(/PERSISTED_ONLY: /);
  });
});
