/**
 * Preloaded into the benchmark's importing engine (`node --import`): when the process exits, writes
 * its peak resident set size (getrusage's maxrss, KiB) to the file named by NDF_BENCH_PEAK_FILE.
 * The peak covers what a sample taken after the queries misses: the import, log compaction and
 * the snapshot written at shutdown.
 */
import { writeFileSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';

const file = process.env.NDF_BENCH_PEAK_FILE;
if (isMainThread && file)
  process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
