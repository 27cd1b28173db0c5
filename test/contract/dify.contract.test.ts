import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DifyRunStatus, Emulator } from '../../src/emulator/index.js';
import { DIFY, NOW, call, queryString, startTestEmulator } from '../emulator/support.js';
import type { Params } from '../emulator/support.js';
import type { Json, JsonObject } from './openapi.js';
import {
  at,
  components30,
  difySpec,
  operation,
  parameterSchema,
  problems,
  strict,
} from './openapi.js';

const LOGS = '/workflows/logs';
const RUN = '/workflows/run/{workflow_run_id}';

/**
 * Deviations NOTES.md documents beyond the spec: `workflow_run` is null on orphaned rows and
 * `created_by_end_user` is null on rows an account created; `details` exists on newer versions only.
 */
function withDocumentedNulls(document: typeof difySpec): typeof difySpec {
  const copy = structuredClone(document);
  const item = at(copy, '/components/schemas/WorkflowLogItem/properties') as Record<
    string,
    unknown
  >;
  for (const name of ['workflow_run', 'created_by_end_user'])
    item[name] = { anyOf: [item[name], { type: 'null' }] };
  return copy;
}

function strictComponents(document: typeof difySpec): typeof difySpec {
  const copy = structuredClone(document);
  (copy.components as Record<string, unknown>).schemas = strict(at(copy, '/components/schemas'), [
    'details',
  ]);
  return copy;
}

const published = components30(withDocumentedNulls(difySpec));
const complete = components30(withDocumentedNulls(strictComponents(difySpec)));

let emulator: Emulator;

beforeAll(async () => {
  emulator = await startTestEmulator();
});
afterAll(() => emulator.close());

function expectSchema(name: string, body: unknown) {
  for (const validators of [published, complete]) {
    const validate = validators.schema(name);
    expect(validate(body), problems(validate)).toBe(true);
  }
}

const logs = (params: Params, headers: Record<string, string> = DIFY) =>
  call(`${emulator.difyUrl}${LOGS}${queryString(params)}`, { headers });
const run = (id: string) => call(`${emulator.difyUrl}/workflows/run/${id}`, { headers: DIFY });

describe('Dify 200 responses match the spec (as published, and with every documented field)', () => {
  it('every page of the workflow logs', async () => {
    const rows = emulator.dify.logs('demo');
    expect(rows.some((row) => row.workflow_run === null)).toBe(true);
    expect(rows.some((row) => row.created_by_end_user === null)).toBe(true);
    for (let page = 1; page <= Math.ceil(rows.length / 100); page++) {
      const answer = await logs({ page, limit: 100 });
      expect(answer.status).toBe(200);
      expectSchema('WorkflowLogsResponse', answer.body);
    }
  });

  it.each<[string, Params]>([
    ['a status', { status: 'failed' }],
    ['a keyword', { keyword: 'invoice' }],
    [
      'both bounds',
      {
        created_at__after: new Date(NOW - 86_400_000).toISOString(),
        created_at__before: new Date(NOW).toISOString(),
      },
    ],
    ['a page past the end', { page: 999 }],
  ])('workflow logs filtered by %s', async (_, params) => {
    const answer = await logs(params);
    expect(answer.status).toBe(200);
    expectSchema('WorkflowLogsResponse', answer.body);
  });

  it.each<DifyRunStatus>([
    'running',
    'paused',
    'succeeded',
    'failed',
    'stopped',
    'partial-succeeded',
  ])('a %s run detail', async (status) => {
    const detail = emulator.dify.runs('demo').find((candidate) => candidate.status === status)!;
    const answer = await run(detail.id);
    expect(answer.status).toBe(200);
    expectSchema('WorkflowRunDetailResponse', answer.body);
  });
});

/** Dify declares its error bodies by example only: the same keys, types, code and status. */
function exampleShape(example: JsonObject): Json {
  return {
    type: 'object',
    required: Object.keys(example),
    additionalProperties: false,
    properties: Object.fromEntries(
      Object.entries(example).map(([key, value]): [string, Json] => [
        key,
        key === 'message' ? { type: 'string' } : { const: value },
      ]),
    ),
  };
}

function errorExample(path: string, status: number) {
  const examples = at(
    operation(difySpec, path, 'get'),
    `/responses/${status}/content/application~1json/examples`,
  );
  return Object.values(examples as Record<string, { value: JsonObject }>)[0]!.value;
}

describe('Dify error bodies match the spec examples', () => {
  it.each<[string, Params]>([
    ['an out-of-range page', { page: 0 }],
    ['a status it does not filter by', { status: 'running' }],
    ['a unix-seconds bound', { created_at__before: '1748779200' }],
    ['an unknown account', { created_by_account: 'nobody@example.com' }],
  ])('400 invalid_param for %s', async (_, params) => {
    const answer = await logs(params);
    const validate = published.inline(exampleShape(errorExample(LOGS, 400)));
    expect(answer.status).toBe(400);
    expect(validate(answer.body), problems(validate)).toBe(true);
  });

  it('404 not_found for an unknown run, with the documented message', async () => {
    const answer = await run('0b7c2a1e-0000-4000-8000-000000000000');
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual(errorExample(RUN, 404));
  });

  it('401 unauthorized in the same envelope, as the security scheme describes', async () => {
    expect(at(difySpec, '/components/securitySchemes/ApiKeyAuth/description')).toMatch(
      /401.*unauthorized/s,
    );
    const validate = published.inline(
      exampleShape({ ...errorExample(LOGS, 400), status: 401, code: 'unauthorized' }),
    );
    const unknownKey = { authorization: 'Bearer app-unknown' };
    for (const answer of [
      await logs({}, {}),
      await logs({}, unknownKey),
      await call(`${emulator.difyUrl}/workflows/run/x`),
    ]) {
      expect(answer.status).toBe(401);
      expect(validate(answer.body), problems(validate)).toBe(true);
    }
  });

  it('a malformedBody fault breaks the contract (the check is discriminating)', async () => {
    emulator.setFault('workflows.logs', { malformedBody: true, times: 1 });
    emulator.setFault('workflows.run', { malformedBody: true, times: 1 });
    const answers = [await logs({}), await run(emulator.dify.runs('demo')[0]!.id)];
    const names = ['WorkflowLogsResponse', 'WorkflowRunDetailResponse'];
    answers.forEach((answer, i) => {
      expect(answer.status).toBe(200);
      expect(complete.schema(names[i]!)(answer.body)).toBe(false);
    });
  });
});

describe('Dify accepts exactly the parameter values the spec allows', () => {
  const PROBES: [name: string, values: string[]][] = [
    ['page', ['1', '99999', '0', '100000', 'two']],
    ['limit', ['1', '20', '100', '0', '101']],
    ['status', ['succeeded', 'failed', 'stopped', 'running', 'partial-succeeded', 'paused']],
    [
      'created_at__before',
      ['2025-06-01T00:00:00Z', '2025-06-01T02:00:00+02:00', '1748736000', 'yesterday'],
    ],
    ['created_at__after', ['2025-05-30T12:00:00.5Z', '1748736000']],
  ];

  it.each(PROBES)('%s', async (name, values) => {
    const schema = parameterSchema(difySpec, LOGS, 'get', name);
    const validate = components30(difySpec, { coerce: true }).inline({
      type: 'object',
      properties: { value: schema },
    });
    for (const value of values) {
      const answer = await logs({ [name]: value });
      const allowed = validate({ value });
      expect({ name, value, status: answer.status }).toEqual({
        name,
        value,
        status: allowed ? 200 : 400,
      });
    }
  });
});
