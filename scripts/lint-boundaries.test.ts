import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';

// The architecture's import boundaries are lint rules; this proves each rule is live by linting
// a forbidden import placed (virtually) in each layer. If a rule is dropped or its file glob
// stops matching, the matching case here fails.
// Type information is off for these virtual files (they are in no tsconfig); the boundary rules
// do not need it.
const eslint = new ESLint({ cwd: process.cwd(), overrideConfig: tseslint.configs.disableTypeChecked });

async function restrictedImports(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

const cases: Array<[layer: string, file: string, forbidden: string]> = [
  ['domain', 'packages/domain/src/zz-probe.ts', "import { readFile } from 'node:fs';"],
  ['domain', 'packages/domain/src/zz-probe.ts', "import { startEngine } from '@newdreamflow/engine';"],
  ['main core', 'src/main/core/zz-probe.ts', "import { app } from 'electron';"],
  ['main core', 'src/main/core/zz-probe.ts', "import { Hono } from 'hono';"],
  ['main core', 'src/main/core/zz-probe.ts', "import { useState } from 'react';"],
  ['preload', 'src/preload/zz-probe.ts', "import { readFile } from 'node:fs';"],
  ['shared', 'src/shared/ipc/zz-probe.ts', "import { ipcMain } from 'electron';"],
  ['renderer', 'src/renderer/src/zz-probe.ts', "import { ipcRenderer } from 'electron';"],
  ['renderer', 'src/renderer/src/zz-probe.ts', "import { readFile } from 'node:fs';"],
  ['renderer', 'src/renderer/src/zz-probe.ts', "import { x } from '../../main/core/zz';"],
  ['services', 'services/keyservice/src/zz-probe.ts', "import { x } from '../../../src/main/core/zz';"],
];

describe('import boundaries', () => {
  it.each(cases)('%s: %s refuses `%s`', async (_layer, file, forbidden) => {
    const messages = await restrictedImports(file, `${forbidden}\nexport {};\n`);
    expect(messages.length).toBeGreaterThan(0);
  });

  it('allows what each layer may import', async () => {
    expect(
      await restrictedImports(
        'src/main/electron/zz-probe.ts',
        "import { app } from 'electron';\nexport { app };\n",
      ),
    ).toEqual([]);
    expect(
      await restrictedImports('packages/domain/src/zz-probe.ts', "import { z } from 'zod';\nexport { z };\n"),
    ).toEqual([]);
  });
});

describe('no silently skipped tests', () => {
  it('refuses a test declared skipped by title, allows a run-time skip with a reason', async () => {
    const lint = async (code: string) => {
      const [result] = await eslint.lintText(code, { filePath: 'dev/zz-probe.test.ts' });
      return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-syntax');
    };
    const declared = ['it', 'skip'].join('.');
    expect(await lint(`import { it } from 'vitest';\n${declared}('x', () => {});\n`)).toHaveLength(1);
    expect(
      await lint(`import { it } from 'vitest';\nit('x', (ctx) => {\n  ctx.skip('no binary here');\n});\n`),
    ).toHaveLength(0);
  });
});
