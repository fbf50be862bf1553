// Builds bot/web/static/cap-widget.{js,css} from src/ (the bundle is committed, so running the
// assistant needs no npm). Every output starts with a header holding the SHA-256 of the sources
// (src/**, package-lock.json, this file); `node build.mjs --check` and tests/web/test_bundle.py
// fail when the committed bundle is older than its sources.
//
//   node build.mjs              rebuild the bundle
//   node build.mjs --check      exit 1 if the bundle is stale
//   node build.mjs --vendor-axe copy axe-core for the browser tests (tests/web/vendor/)
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const WEB = dirname(fileURLToPath(import.meta.url));
const OUT = join(WEB, '..', 'bot', 'web', 'static');
const VENDOR = join(WEB, '..', 'tests', 'web', 'vendor');
const PKG = JSON.parse(readFileSync(join(WEB, 'package.json'), 'utf8'));

function listFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...listFiles(path));
    else out.push(path);
  }
  return out;
}

/** SHA-256 over the sources; mirrored by tests/web/test_bundle.py::source_hash. */
export function sourceHash() {
  const files = [...listFiles(join(WEB, 'src')), join(WEB, 'package-lock.json'), join(WEB, 'build.mjs')]
    .map((path) => relative(WEB, path).split(sep).join('/'))
    .sort();
  const hash = createHash('sha256');
  for (const rel of files) {
    const data = readFileSync(join(WEB, rel));
    hash.update(`${rel}\n${data.length}\n`);
    hash.update(data);
    hash.update('\n');
  }
  return hash.digest('hex');
}

function banner(hash) {
  return (
    `/*! Cap Reconversion chat widget ${PKG.version} | source-sha256: ${hash} | ` +
    'generated from web/ by "make widget" (node web/build.mjs), do not edit | ' +
    'bundles socket.io-client (MIT, https://github.com/socketio/socket.io) */'
  );
}

const HEADER_RE = /source-sha256: ([0-9a-f]{64})/;

function check() {
  const expected = sourceHash();
  let ok = true;
  for (const name of ['cap-widget.js', 'cap-widget.css']) {
    let head = '';
    try {
      head = readFileSync(join(OUT, name), 'utf8').slice(0, 400);
    } catch (e) {
      /* missing */
    }
    const m = HEADER_RE.exec(head);
    if (!m || m[1] !== expected) {
      ok = false;
      console.error(`Le fichier ${name} est périmé : lancez « make widget ».\n${name} is stale: run "make widget".`);
    }
  }
  process.exit(ok ? 0 : 1);
}

async function build() {
  const esbuild = await import('esbuild');
  const hash = sourceHash();
  const head = banner(hash);
  mkdirSync(OUT, { recursive: true });
  const js = await esbuild.build({
    entryPoints: [join(WEB, 'src', 'index.js')],
    bundle: true,
    format: 'iife',
    minify: true,
    target: ['es2020', 'chrome87', 'firefox78', 'safari15'],
    legalComments: 'eof',
    banner: { js: head },
    write: false,
    logLevel: 'warning',
  });
  writeFileSync(join(OUT, 'cap-widget.js'), js.outputFiles[0].contents);
  const css = await esbuild.build({
    entryPoints: [join(WEB, 'src', 'widget.css')],
    bundle: true,
    minify: true,
    target: ['chrome87', 'firefox78', 'safari15'],
    banner: { css: head },
    write: false,
    logLevel: 'warning',
  });
  writeFileSync(join(OUT, 'cap-widget.css'), css.outputFiles[0].contents);
  console.log(`cap-widget.js (${js.outputFiles[0].contents.length} o) et cap-widget.css construits, source-sha256 ${hash.slice(0, 12)}…`);
}

function vendorAxe() {
  mkdirSync(VENDOR, { recursive: true });
  copyFileSync(join(WEB, 'node_modules', 'axe-core', 'axe.min.js'), join(VENDOR, 'axe.min.js'));
  copyFileSync(join(WEB, 'node_modules', 'axe-core', 'LICENSE'), join(VENDOR, 'axe-core.LICENSE'));
  console.log('axe-core copié dans tests/web/vendor/');
}

const arg = process.argv[2];
if (arg === '--check') check();
else if (arg === '--vendor-axe') vendorAxe();
else await build();
