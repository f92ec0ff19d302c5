import type { StackInfo } from '../../dev/stack';
import { loadConfig, type AppConfig } from '../../src/main/core/config/app-config';

/** The app's configuration for a running embedded stack (what `npm start` passes as env). */
export function appConfigForStack(info: StackInfo): AppConfig {
  return loadConfig(
    {},
    {
      oidc: { issuer: info.idp, clientId: info.clientId, scope: info.scope, audience: info.resource },
      keyServiceUrl: info.keyservice,
      algoliaHosts: [info.engine],
      indexPrefix: info.indexPrefix,
    },
  );
}
