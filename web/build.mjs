// Builds the page into web/dist: one JS bundle and one stylesheet, named by a hash of their content so the server can
// let browsers cache them for good, and index.html pointing at them (served with revalidation). Type-checking is
// `tsc -p web/tsconfig.json`, run before this by `npm run build:web`.
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const webDir = path.dirname(fileURLToPath(import.meta.url));
const distDir = path.join(webDir, 'dist');

function hashed(name, ext, contents) {
  const hash = createHash('sha256').update(contents).digest('hex').slice(0, 12);
  return `${name}.${hash}.${ext}`;
}

async function bundle(entry, options = {}) {
  const result = await esbuild.build({
    entryPoints: [path.join(webDir, entry)],
    bundle: true,
    write: false,
    minify: true,
    target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
    legalComments: 'none',
    logLevel: 'warning',
    ...options,
  });
  return result.outputFiles[0].contents;
}

const js = await bundle('src/main.ts', { format: 'esm', outfile: 'app.js' });
const css = await bundle('src/style.css', { outfile: 'app.css' });
const jsName = hashed('app', 'js', js);
const cssName = hashed('app', 'css', css);

const template = await readFile(path.join(webDir, 'index.html'), 'utf8');
if (!template.includes('{{APP_JS}}') || !template.includes('{{APP_CSS}}')) {
  throw new Error('web/index.html must reference {{APP_JS}} and {{APP_CSS}}');
}
const html = template.replace('{{APP_JS}}', jsName).replace('{{APP_CSS}}', cssName);

await rm(distDir, { recursive: true, force: true });
await mkdir(distDir, { recursive: true });
await writeFile(path.join(distDir, jsName), js);
await writeFile(path.join(distDir, cssName), css);
await writeFile(path.join(distDir, 'index.html'), html);
await copyFile(path.join(webDir, 'favicon.svg'), path.join(distDir, 'favicon.svg'));
console.log(`web/dist: index.html, ${jsName} (${js.length} B), ${cssName} (${css.length} B), favicon.svg`);
