import { DEMO_KEYS, startEmulator } from './index.js';

const emulator = await startEmulator({
  live: {},
  falPort: Number(process.env.EMULATOR_FAL_PORT ?? 4010),
  difyPort: Number(process.env.EMULATOR_DIFY_PORT ?? 4020),
  ...(process.env.EMULATOR_SEED ? { seed: Number(process.env.EMULATOR_SEED) } : {}),
});

console.log(`fal and Dify emulators (live data on)

  fal   ${emulator.falUrl}   Authorization: Key ${DEMO_KEYS.fal}
                                   other tenant: Key ${DEMO_KEYS.falOther}
  Dify  ${emulator.difyUrl}   Authorization: Bearer ${DEMO_KEYS.dify}
                                   other tenant: Bearer ${DEMO_KEYS.difyOther}

Ctrl+C stops them.`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void emulator.close().then(() => process.exit(0));
  });
}
