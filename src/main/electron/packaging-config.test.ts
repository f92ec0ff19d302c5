import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config.js';
import { DebugLogger } from 'builder-util';
import { beforeAll, describe, expect, it } from 'vitest';

// Packaging cannot run here (the Electron zip is not downloadable), so electron-builder.yml is
// tested as data: loaded and schema-validated by electron-builder itself, then checked for the
// fuses, the unpacked native module, the signing setup and what goes into the package.
const ROOT = resolve(import.meta.dirname, '../../..');
type Config = Awaited<ReturnType<typeof getConfig>>;
let config: Config;

beforeAll(async () => {
  config = await getConfig(ROOT, 'electron-builder.yml', null);
  await validateConfiguration(config, new DebugLogger(false));
});

describe('electron-builder configuration', () => {
  it('flips every security fuse', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      enableCookieEncryption: true,
      loadBrowserProcessSpecificV8Snapshot: false,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('packs into an asar with keytar unpacked', () => {
    expect(config.asar).toBe(true);
    expect(config.asarUnpack).toContain('**/node_modules/keytar/**');
  });

  it('targets Linux (AppImage, deb), macOS (dmg, hardened, notarized from env) and Windows (nsis)', async () => {
    expect(config.linux?.target).toEqual(['AppImage', 'deb']);
    expect(config.deb?.depends).toContain('libsecret-1-0');
    expect(config.mac?.target).toEqual(['dmg']);
    expect(config.mac?.hardenedRuntime).toBe(true);
    expect(config.mac?.notarize).toBe(true);
    expect(config.win?.target).toEqual(['nsis']);
    const entitlements = await readFile(resolve(ROOT, config.mac!.entitlements!), 'utf8');
    const keys = [...entitlements.matchAll(/<key>([^<]+)<\/key>/g)].map((m) => m[1]);
    expect(keys).toEqual(['com.apple.security.cs.allow-jit']);
    for (const icon of [config.linux?.icon, config.mac?.icon, config.win?.icon])
      expect(existsSync(resolve(ROOT, icon!))).toBe(true);
  });

  it('packages only the build output and the app’s own runtime dependencies', async () => {
    const files = (config.files as { filter: string[] }[] | string[]).flatMap((entry) =>
      typeof entry === 'string' ? [entry] : entry.filter,
    );
    expect(files.filter((pattern) => !pattern.startsWith('!'))).toEqual(['out/**', 'package.json']);
    expect(files).toContain('!out/**/*.map');
    const manifest = JSON.parse(await readFile(resolve(ROOT, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
    };
    const runtime = Object.keys(manifest.dependencies ?? {}).sort();
    // What main loads at run time; everything else (renderer libraries, services) is bundled or absent.
    expect(runtime.filter((name) => !['keytar', 'openid-client', 'zod'].includes(name))).toEqual([]);
    expect(runtime.some((name) => name.startsWith('@newdreamflow/'))).toBe(false);
  });

  it('the built main bundle contains no service code', async (ctx) => {
    const bundle = resolve(ROOT, 'out/main/index.js');
    if (!existsSync(bundle)) {
      console.warn('packaging check of out/main skipped: run `npm run build` first');
      return ctx.skip('out/main/index.js not built');
    }
    const code = await readFile(bundle, 'utf8');
    for (const marker of [
      'oidc-provider',
      '@hono/node-server',
      'from "hono"',
      '@newdreamflow/keyservice',
      '@newdreamflow/engine',
      '@newdreamflow/dev-idp',
    ]) {
      expect(code, marker).not.toContain(marker);
    }
  });
});
