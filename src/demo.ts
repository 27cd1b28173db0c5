import { loadConfig } from './config.js';
import { dashboardSettings, serveDashboard } from './demo-dashboard.js';
import { DEMO_KEYS, startEmulator } from './emulator/index.js';
import { emulatorSettings } from './emulator/settings.js';
import { createGateway } from './server.js';
import { listenOrExit, settingsOrExit } from './startup.js';

const settings = settingsOrExit(() => emulatorSettings());
const ports = {
  EMULATOR_FAL_PORT: settings.EMULATOR_FAL_PORT ?? 0,
  EMULATOR_DIFY_PORT: settings.EMULATOR_DIFY_PORT ?? 0,
  EMULATOR_FAL_LEGACY_PORT: settings.EMULATOR_FAL_LEGACY_PORT ?? 0,
};
const emulator = await listenOrExit(
  () =>
    startEmulator({
      live: { falLinesPerSecond: 4, difyRunsPerMinute: 6 },
      falPort: ports.EMULATOR_FAL_PORT,
      difyPort: ports.EMULATOR_DIFY_PORT,
      falLegacyPort: ports.EMULATOR_FAL_LEGACY_PORT,
    }),
  ports,
);
const host = process.env.HOST ?? '127.0.0.1';
const { DASHBOARD_PORT } = settingsOrExit(() => dashboardSettings());
const dashboard = await listenOrExit(() => serveDashboard(host, DASHBOARD_PORT), {
  DASHBOARD_PORT,
});
const config = settingsOrExit(() =>
  loadConfig({
    ...process.env,
    HOST: host,
    // The dashboard is served from its own origin and calls the gateway from there.
    CORS_ORIGINS: [process.env.CORS_ORIGINS, ...dashboard.origins].filter(Boolean).join(','),
    FAL_API_URL: emulator.falUrl,
    FAL_LEGACY_API_URL: emulator.falLegacyUrl,
    DIFY_API_URL: emulator.difyUrl,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  }),
);
const gateway = settingsOrExit(() =>
  createGateway(config, {
    graphiqlHeaders: {
      'X-Fal-Authorization': `Key ${DEMO_KEYS.fal}`,
      'X-Dify-Authorization': `Bearer ${DEMO_KEYS.dify}`,
    },
  }),
);
const url = await listenOrExit(() => gateway.listen(), { PORT: config.port });
dashboard.configure({
  gatewayUrl: url,
  falKey: DEMO_KEYS.fal,
  difyKey: DEMO_KEYS.dify,
  apps: emulator.fal.apps('demo').map((app) => app.id),
});

console.log(`AI logs gateway demo

  Dashboard     ${dashboard.built ? dashboard.url : '(not built: npm run build -w examples/dashboard)'}   (demo keys pre-filled)
  GraphiQL      ${url}/graphql   (demo keys are pre-filled in the Headers tab)
  fal emulator  ${emulator.falUrl}   key: ${DEMO_KEYS.fal}
  fal legacy    ${emulator.falLegacyUrl}   (POST /logs/, same key)
  Dify emulator ${emulator.difyUrl}   key: ${DEMO_KEYS.dify}

Try it from a shell:
  curl -s ${url}/graphql -H 'content-type: application/json' \\
    -H 'Authorization: Key ${DEMO_KEYS.fal}' \\
    -d '{"query":"{ falLogs(first: 3) { edges { node { timestamp level app message } } } }"}'

Ctrl+C stops it.`);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    void Promise.all([gateway.close(), emulator.close(), dashboard.close()]).then(() =>
      process.exit(0),
    );
  });
}
