import { ConfigError, configFromEnv } from './config';
import { ParentKeyError } from './algolia/parent-key';
import { createLogger } from './logger';
import { startKeyService } from './server';

// Entry of `npm run keyservice`: configuration from the environment (validated, failing fast),
// 127.0.0.1:PORT, one readiness line on stdout, clean exit on SIGTERM/SIGINT after draining.
const logger = createLogger();
try {
  const config = configFromEnv();
  const service = await startKeyService(config, { logger });
  process.stdout.write(`listening on ${service.url}\n`);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info('shutdown', { signal });
    service.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
} catch (error) {
  if (error instanceof ConfigError || error instanceof ParentKeyError) {
    process.stderr.write(`keyservice: ${error.message}\n`);
  } else {
    process.stderr.write(
      `keyservice: failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
    );
  }
  process.exit(1);
}
