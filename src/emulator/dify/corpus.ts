import type { Rng } from '../random.js';

/** What one tenant's workflow app takes in, puts out and fails with. */
export interface WorkflowTemplate {
  inputs(rng: Rng): Record<string, unknown>;
  outputs(rng: Rng, inputs: Record<string, unknown>): Record<string, unknown>;
  errors: readonly string[];
}

const TICKETS = [
  'I was charged twice for the March invoice, please refund one of them.',
  'Export to CSV fails with "unexpected token" since yesterday’s update.',
  'How do I add a second admin to our workspace?',
  'Die App stürzt beim Hochladen großer Dateien ab.',
  'パスワードをリセットできません。メールが届きません。',
  '¿Pueden activar el inicio de sesión único para nuestro equipo?',
  'The API returns 502 for every request made from the EU region 😕',
  'Please delete my account and all associated data.',
];

export const SUPPORT_TRIAGE: WorkflowTemplate = {
  inputs: (rng) => ({
    query: rng.pick(TICKETS),
    language: rng.pick(['en', 'de', 'ja', 'es']),
    customer_tier: rng.pick(['free', 'pro', 'enterprise']),
  }),
  outputs: (rng, inputs) => ({
    category: rng.pick(['billing', 'bug', 'how-to', 'account', 'privacy']),
    priority: inputs.customer_tier === 'enterprise' ? 'high' : rng.pick(['low', 'normal', 'high']),
    answer: rng.pick([
      'Thanks for reaching out! I have forwarded this to our billing team, who will refund the duplicate charge within 3–5 business days.',
      'You can add another admin under Settings → Members → Invite, then change their role to Admin.',
      'Es tut uns leid! Ein Fix für große Uploads wird morgen ausgerollt.',
      'ご不便をおかけしております。迷惑メールフォルダもご確認ください。',
    ]),
    confidence: Math.round(rng.float(0.55, 0.99) * 100) / 100,
  }),
  errors: [
    'Node LLM run failed: [openai] Error code: 429 - rate limit reached for requests',
    "Node Code run failed: KeyError: 'ticket_id'",
    'Node HTTP Request run failed: request to the CRM timed out after 30 s',
    'Variable #start.query# is required but was not provided',
  ],
};

export const INVOICE_EXTRACTOR: WorkflowTemplate = {
  inputs: (rng) => ({
    document_url: `https://files.globex.example/inbox/${rng.hex(10)}.pdf`,
    currency_hint: rng.pick(['EUR', 'USD', 'CHF', null]),
  }),
  outputs: (rng, inputs) => ({
    vendor: rng.pick([
      'Initech GmbH',
      'Umbrella Supplies Ltd',
      'Société Générale de Bureau',
      'Hooli Inc.',
    ]),
    total: Math.round(rng.float(40, 12_000) * 100) / 100,
    currency: inputs.currency_hint ?? 'EUR',
    due_date: `2025-${String(rng.int(1, 12)).padStart(2, '0')}-${String(rng.int(1, 28)).padStart(2, '0')}`,
  }),
  errors: [
    'Node Document Extractor run failed: the PDF is encrypted',
    'Node LLM run failed: output did not match the JSON schema',
  ],
};
