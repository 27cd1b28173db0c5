import { loadConfig } from './config.js';
import { createGateway, createLogger } from './server.js';
import { listenOrExit, settingsOrExit } from './startup.js';

const config = settingsOrExit(() => loadConfig());
const logger = createLogger(config);
const gateway = settingsOrExit(() => createGateway(config, { logger }));
const url = await listenOrExit(() => gateway.listen(), { PORT: config.port });
const persisted = config.persistedDocuments;
const mode = persisted
  ? ` (persisted documents: ${persisted.manifest.size} from ${persisted.path}` +
    (persisted.only ? ', and no other; GraphiQL is off)' : ')')
  : '';
logger.info(
  {
    url: `${url}/graphql`,
    graphiql: config.graphiql,
    persistedDocuments: persisted?.manifest.size ?? 0,
    persistedOnly: persisted?.only ?? false,
  },
  `listening${mode}`,
);
// Printed whatever the log level, so that whoever started the gateway knows where it is.
console.log(`gateway listening on ${url}/graphql${mode}`);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    logger.info({ signal }, 'shutting down');
    gateway.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
