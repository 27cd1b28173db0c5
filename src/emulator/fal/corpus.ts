import type { Rng } from '../random.js';

/** Canonical level of a scripted line; casing is applied per app when the line is written. */
export type Level =
  'trace' | 'debug' | 'info' | 'warning' | 'error' | 'stdout' | 'stderr' | 'notice';

export type Step =
  { level: Level; message: string; traceback?: string } | { level: Level; burst: string[] };

export type AppKind = 'image' | 'audio' | 'text';
export type Outcome = 'ok' | 'user_error' | 'error';

export const IMAGE_PROMPTS = [
  'a cat astronaut drifting past the moon, cinematic light 🐱‍🚀',
  '東京の夜景、ネオン、雨上がりの路地',
  'portrait of an old fisherman, Kodachrome, 35mm grain',
  'café terrace in Zürich at dawn, watercolor',
  'минималистичный логотип лисы, векторная графика',
  'a bowl of ramen with rising steam, studio photo 🍜',
  'isometric diorama of a tiny library, soft morning light',
  'λευκά σπίτια σε νησί του Αιγαίου, μπλε θάλασσα',
  'cyberpunk street market in the rain, reflections, 8k',
  'a corgi wearing a tiny crown, oil on canvas 👑',
  'brutalist concrete villa on a cliff, golden hour',
  'hand-drawn map of a fantasy archipelago, sepia ink',
];

const TRANSCRIPT = [
  'Okay, let us get started with the quarterly review.',
  'The rollout finished on Tuesday without incidents.',
  'Bonjour à tous, merci d’être venus aujourd’hui.',
  'Die Zahlen für September sehen deutlich besser aus.',
  '我们下周再讨论这个问题。',
  'Next item: the GPU budget for the inference cluster.',
  'Can everyone hear me? I think my microphone was muted.',
  '¿Alguien tiene preguntas antes de continuar?',
];

const TEXT_PROMPTS = [
  'Summarise this support ticket in two sentences.',
  'Translate the release notes into Japanese.',
  'Write a SQL query that returns the ten most active users.',
  'Classify the sentiment of: "the update broke my workflow 😡"',
  'Extract the invoice number and total from the attached text.',
  'Draft a polite reminder about the unpaid invoice.',
];

const IMAGE_SIZES = ['square_hd', 'portrait_4_3', 'landscape_16_9', 'landscape_4_3'];
const LLM_MODELS = ['llama-3.1-70b', 'mixtral-8x22b', 'qwen2.5-32b'];

const PACKAGES = [
  'accelerate==0.34.2',
  'aiohttp==3.10.5',
  'anyio==4.4.0',
  'attrs==24.2.0',
  'certifi==2024.8.30',
  'charset-normalizer==3.3.2',
  'click==8.1.7',
  'diffusers==0.30.3',
  'einops==0.8.0',
  'fal==1.3.0',
  'fastapi==0.114.2',
  'filelock==3.16.0',
  'fsspec==2024.9.0',
  'grpcio==1.66.1',
  'h11==0.14.0',
  'httpx==0.27.2',
  'huggingface-hub==0.24.7',
  'idna==3.10',
  'isolate==0.13.1',
  'Jinja2==3.1.4',
  'MarkupSafe==2.1.5',
  'mpmath==1.3.0',
  'networkx==3.3',
  'numpy==1.26.4',
  'nvidia-cublas-cu12==12.1.3.1',
  'nvidia-cudnn-cu12==9.1.0.70',
  'nvidia-nccl-cu12==2.20.5',
  'opencv-python-headless==4.10.0.84',
  'packaging==24.1',
  'pillow==10.4.0',
  'protobuf==5.28.1',
  'psutil==6.0.0',
  'pydantic==2.9.1',
  'pydantic_core==2.23.3',
  'PyYAML==6.0.2',
  'regex==2024.9.11',
  'requests==2.32.3',
  'safetensors==0.4.5',
  'sentencepiece==0.2.0',
  'sniffio==1.3.1',
  'starlette==0.38.5',
  'sympy==1.13.2',
  'tokenizers==0.19.1',
  'torch==2.4.1',
  'torchvision==0.19.1',
  'tqdm==4.66.5',
  'transformers==4.44.2',
  'triton==3.0.0',
  'typing_extensions==4.12.2',
  'urllib3==2.2.3',
  'uvicorn==0.30.6',
  'xformers==0.0.28',
  'faster-whisper==1.0.3',
  'ctranslate2==4.4.0',
  'soundfile==0.12.1',
  'librosa==0.10.2',
  'vllm==0.6.1',
  'outlines==0.0.46',
  'peft==0.12.0',
  'bitsandbytes==0.43.3',
  'timm==1.0.9',
];

const FAILURES: readonly (readonly [string, string])[] = [
  [
    'torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.50 GiB',
    'torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.50 GiB (GPU 0; 79.11 GiB total capacity)',
  ],
  [
    'RuntimeError: Expected all tensors to be on the same device, but found cuda:0 and cpu',
    'RuntimeError: Expected all tensors to be on the same device, but found at least two devices, cuda:0 and cpu!',
  ],
  [
    'TimeoutError: weights server did not answer within 60 s',
    'TimeoutError: weights server did not answer within 60 s',
  ],
];

export function imageInput(rng: Rng, turbo: boolean) {
  return {
    prompt: rng.pick(IMAGE_PROMPTS),
    image_size: rng.pick(IMAGE_SIZES),
    num_inference_steps: turbo ? 4 : rng.pick([20, 28, 40]),
    guidance_scale: turbo ? 0 : rng.pick([3.5, 5, 7.5]),
    seed: rng.int(1, 2 ** 31),
    num_images: rng.weighted([
      [1, 6],
      [2, 2],
      [4, 1],
    ]),
  };
}

export function audioInput(rng: Rng) {
  return {
    audio_url: `https://storage.example.com/uploads/${rng.hex(12)}.wav`,
    task: 'transcribe',
    language: rng.pick(['en', 'fr', 'de', 'zh', null]),
    diarize: rng.chance(0.3),
  };
}

export function textInput(rng: Rng) {
  return {
    prompt: rng.pick(TEXT_PROMPTS),
    model: rng.pick(LLM_MODELS),
    max_tokens: rng.pick([256, 512, 1024]),
  };
}

export function imageOutput(rng: Rng, input: ReturnType<typeof imageInput>, seconds: number) {
  return {
    images: Array.from({ length: input.num_images }, () => ({
      url: `https://v3.fal.media/files/${rng.hex(8)}/${rng.hex(16)}.png`,
      width: 1024,
      height: input.image_size.startsWith('portrait') ? 1365 : 1024,
      content_type: 'image/png',
    })),
    timings: { inference: Math.round(seconds * 1000) / 1000 },
    seed: input.seed,
    has_nsfw_concepts: Array.from({ length: input.num_images }, () => false),
    prompt: input.prompt,
  };
}

export function audioOutput(rng: Rng) {
  const chunks = Array.from({ length: rng.int(2, 5) }, (_, i) => ({
    timestamp: [i * 4.2, (i + 1) * 4.2],
    text: rng.pick(TRANSCRIPT),
  }));
  return { text: chunks.map((chunk) => chunk.text).join(' '), chunks };
}

export function textOutput(rng: Rng, model: string) {
  return {
    output: rng.pick([
      'The customer reports that exports fail since the last update and asks for a rollback.',
      'SELECT user_id, count(*) AS events FROM events GROUP BY user_id ORDER BY events DESC LIMIT 10;',
      'Sentiment: negative (confidence 0.93)',
      'リリースノート：パフォーマンスが改善されました。',
    ]),
    usage: { prompt_tokens: rng.int(20, 900), completion_tokens: rng.int(10, 700) },
    model,
  };
}

export function userErrorOutput(kind: AppKind) {
  const [field, message] =
    kind === 'image'
      ? ['image_size', 'unsupported image size']
      : kind === 'audio'
        ? ['audio_url', 'the file could not be downloaded (HTTP 403)']
        : ['max_tokens', 'must be at most 4096'];
  return { detail: [{ loc: ['body', field], msg: message, type: 'value_error' }] };
}

function progress(rng: Rng, total: number, label = ''): string[] {
  const marks = new Set([total]);
  for (let i = rng.int(2, 5); i > 0; i--) marks.add(rng.int(1, total));
  return [...marks]
    .sort((a, b) => a - b)
    .map((done) => {
      const percent = Math.round((done / total) * 100);
      const bar = '█'.repeat(Math.round(percent / 10)).padEnd(10, ' ');
      return `${label}${String(percent).padStart(3)}%|${bar}| ${done}/${total} [00:0${rng.int(0, 9)}<00:0${rng.int(0, 9)}, ${rng.float(2, 14).toFixed(2)}it/s]`;
    });
}

function failure(rng: Rng, handler: string): Step {
  const [message, last] = rng.pick(FAILURES);
  return {
    level: 'error',
    message: `Request failed: ${message}`,
    traceback: [
      'Traceback (most recent call last):',
      `  File "/app/${handler}.py", line ${rng.int(40, 180)}, in __call__`,
      '    result = self.pipeline(**arguments)',
      '  File "/usr/local/lib/python3.11/site-packages/torch/utils/_contextlib.py", line 116, in decorate_context',
      '    return func(*args, **kwargs)',
      last,
    ].join('\n'),
  };
}

export interface RequestScript {
  kind: AppKind;
  route: string;
  input: Record<string, unknown>;
  outcome: Outcome;
  burst: boolean;
}

/** What a runner logs while serving one request. */
export function requestSteps(rng: Rng, script: RequestScript): Step[] {
  const steps: Step[] = [
    { level: 'info', message: `Handling ${script.route} request` },
    ...kindSteps(rng, script),
  ];
  if (script.burst) steps.splice(2, 0, burstStep(rng, script.kind));
  if (script.outcome === 'user_error') {
    steps.push({
      level: 'warning',
      message: `Rejected input: ${JSON.stringify(userErrorOutput(script.kind).detail[0])}`,
    });
  } else if (script.outcome === 'error') {
    steps.push(failure(rng, script.kind === 'text' ? 'router' : 'handler'));
  } else {
    steps.push({ level: 'info', message: 'Request completed' });
  }
  return steps;
}

function kindSteps(rng: Rng, { kind, input }: RequestScript): Step[] {
  if (kind === 'image') {
    const steps = Number(input.num_inference_steps);
    return [
      { level: 'debug', message: `prompt: ${String(input.prompt)}` },
      ...(rng.chance(0.25)
        ? [
            {
              level: 'debug' as const,
              message: `sampler settings:\n  scheduler: ${rng.pick(['euler', 'dpm++2m', 'ddim'])}\n  steps: ${steps}\n  guidance: ${String(input.guidance_scale)}`,
            },
          ]
        : []),
      ...(rng.chance(0.1)
        ? [{ level: 'warning' as const, message: 'Prompt truncated to 77 CLIP tokens' }]
        : []),
      ...progress(rng, steps).map((message) => ({ level: 'stderr' as const, message })),
      { level: 'info', message: `Uploaded ${String(input.num_images)} image(s) to the CDN` },
    ];
  }
  if (kind === 'audio') {
    return [
      { level: 'info', message: `Fetching ${String(input.audio_url)}` },
      { level: 'debug', message: `Decoded ${rng.float(8, 600).toFixed(1)} s of audio at 16 kHz` },
      ...Array.from({ length: rng.int(2, 6) }, (_, i) => ({
        level: 'stdout' as const,
        message: `[${segmentTime(i)} --> ${segmentTime(i + 1)}]  ${rng.pick(TRANSCRIPT)}`,
      })),
    ];
  }
  return [
    { level: 'info', message: `Routing to ${String(input.model)}` },
    { level: 'debug', message: `prompt cache miss (hash ${rng.hex(12)})` },
    ...Array.from({ length: rng.int(2, 5) }, (_, i) => ({
      level: 'stdout' as const,
      message: `stream chunk ${i + 1}: ${rng.int(8, 64)} tokens`,
    })),
  ];
}

function segmentTime(index: number): string {
  const seconds = index * 4.2;
  return `${String(Math.floor(seconds / 60)).padStart(2, '0')}:${(seconds % 60).toFixed(3).padStart(6, '0')}`;
}

/** 20–60 lines printed in one go, so they share one timestamp. */
function burstStep(rng: Rng, kind: AppKind): Step {
  const size = rng.int(20, 60);
  const burst = Array.from({ length: size }, (_, i) =>
    kind === 'image'
      ? `applied LoRA weights to transformer_blocks.${i}.attn (rank ${rng.pick([8, 16, 32])})`
      : kind === 'audio'
        ? `[${segmentTime(i)} --> ${segmentTime(i + 1)}]  ${rng.pick(TRANSCRIPT)}`
        : `token ${i}: logprob=-${rng.float(0, 3).toFixed(4)}`,
  );
  return { level: kind === 'audio' ? 'stdout' : 'debug', burst };
}

/** What a runner logs while it boots. */
export function setupSteps(rng: Rng, image: string, jobId: string, nodeId: string): Step[] {
  return [
    { level: 'info', message: `Starting runner ${jobId} on ${nodeId}` },
    { level: 'info', message: `Pulling image ${image}` },
    {
      level: 'stdout',
      burst: rng.pick([PACKAGES.slice(0, rng.int(20, 60)), PACKAGES.slice(-rng.int(20, 60))]),
    },
    {
      level: 'stdout',
      message: [
        '+-----------------------------------------------+',
        '| GPU  Name         Memory-Usage        Util    |',
        `|   0  H100 80GB    ${rng.int(1, 9)}MiB / 81559MiB        0%    |`,
        '+-----------------------------------------------+',
      ].join('\n'),
    },
    { level: 'info', message: `Loading weights (${rng.float(2, 40).toFixed(1)} GB)` },
    ...progress(rng, 12, 'Loading shards: ').map((message) => ({
      level: 'stderr' as const,
      message,
    })),
    ...(rng.chance(0.5)
      ? [{ level: 'trace' as const, message: 'grpc: keepalive ping acknowledged' }]
      : []),
    { level: 'info', message: `Runner ready after ${rng.float(8, 95).toFixed(1)} s` },
  ];
}

/** One periodic line of a running runner. */
export function heartbeatStep(rng: Rng): Step {
  return rng.weighted<Step>([
    [
      {
        level: 'stdout',
        message: `[heartbeat] gpu_util=${rng.int(0, 99)}% mem=${rng.float(5, 79).toFixed(1)}/80.0 GiB queue=${rng.int(0, 6)}`,
      },
      8,
    ],
    [{ level: 'debug', message: `metrics flushed (${rng.int(8, 40)} series)` }, 2],
    [{ level: 'trace', message: 'grpc: keepalive ping acknowledged' }, 1],
    [{ level: 'notice', message: 'configuration reloaded from /data/config.yaml' }, 0.3],
  ]);
}

export function cronStep(rng: Rng): Step {
  return { level: 'info', message: `cron: pruned ${rng.int(0, 400)} expired cache entries` };
}
