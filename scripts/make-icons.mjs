// Renders assets/icon.svg to the PNGs electron-builder packages:
//   assets/icon.png       512×512, Linux and Windows (builder derives the .ico from it)
//   assets/icon-1024.png  1024×1024, macOS (builder derives the .icns; 1024 gives the 512@2x size)
// Uses Chromium through playwright-core: `node scripts/make-icons.mjs`.
// KEYPORT_CHROMIUM overrides the browser (default: Debian's /usr/bin/chromium).
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const assets = join(dirname(fileURLToPath(import.meta.url)), '..', 'assets');
const outputs = [
  { file: 'icon.png', size: 512 },
  { file: 'icon-1024.png', size: 1024 },
];

const svg = await readFile(join(assets, 'icon.svg'), 'utf8');
const browser = await chromium.launch({
  executablePath: process.env.KEYPORT_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  for (const { file, size } of outputs) {
    const page = await browser.newPage({ viewport: { width: size, height: size }, deviceScaleFactor: 1 });
    const sized = svg.replace(/<svg\b([^>]*?)\swidth="\d+"\sheight="\d+"/, `<svg$1 width="${size}" height="${size}" style="display:block"`);
    await page.setContent(`<!doctype html><html><body style="margin:0;background:transparent">${sized}</body></html>`);
    const png = await page.screenshot({ omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } });
    await page.close();
    const width = png.readUInt32BE(16);
    const height = png.readUInt32BE(20);
    if (width !== size || height !== size) throw new Error(`${file}: rendered ${width}×${height}, expected ${size}×${size}`);
    await writeFile(join(assets, file), png);
    console.log(`assets/${file}: ${size}×${size}`);
  }
} finally {
  await browser.close();
}
