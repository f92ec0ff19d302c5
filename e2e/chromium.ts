/**
 * How every test and tool here launches Chromium: Debian's build, never a downloaded browser
 * (TOOLCHAIN.md), with the flags that keep it from reaching for the network, which is closed here.
 */
export const chromiumLaunchOptions = {
  executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--no-first-run',
    '--disable-dev-shm-usage',
  ],
};
