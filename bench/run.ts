/**
 * `npm run bench -- [name…]`: runs the named benchmarks (all when none is named) and prints each
 * result as JSON. Results worth keeping go into docs/PERFORMANCE.md with date and machine.
 */
const BENCHMARKS: Record<string, () => Promise<unknown>> = {
  engine: async () => (await import('./engine')).run(),
};

async function main(): Promise<void> {
  const names = process.argv.slice(2);
  const unknown = names.filter((name) => !(name in BENCHMARKS));
  if (unknown.length > 0) {
    process.stderr.write(
      `unknown benchmark(s): ${unknown.join(', ')}; known: ${Object.keys(BENCHMARKS).join(', ')}\n`,
    );
    process.exitCode = 2;
    return;
  }
  for (const name of names.length > 0 ? names : Object.keys(BENCHMARKS)) {
    process.stderr.write(`bench ${name}…\n`);
    const result = await BENCHMARKS[name]?.();
    process.stdout.write(`${JSON.stringify({ bench: name, result }, null, 2)}\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
