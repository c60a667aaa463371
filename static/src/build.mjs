#!/usr/bin/env node
// Ponte front-end asset build.
//
// Copies the vendor assets Ponte serves from node_modules into static/vendor/
// (git-ignored), generates the RTL Bootstrap Italia stylesheet with rtlcss and
// writes static/vendor/fonts.css (self-hosted @font-face rules, so the site
// never depends on Bootstrap Italia's JavaScript loadFonts()).
//
// Plain Node ESM, no bundler, no network access: run `npm ci` first, then
// `npm run build`. The output directory is wiped and recreated on every run.

import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import fs from 'node:fs';
import path from 'node:path';

const require = createRequire(import.meta.url);

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const NM = path.join(ROOT, 'node_modules');
const OUT = path.join(ROOT, 'static', 'vendor');
const FONTS_OUT = path.join(OUT, 'fonts');
const BI = path.join(NM, 'bootstrap-italia', 'dist');

// Gurmukhi is not published on @fontsource; take it from Debian's
// fonts-noto-core when the build machine has it.
const GURMUKHI_DIR = '/usr/share/fonts/truetype/noto';
// Gurmukhi block + udatta/anudatta, danda/double danda, ZWNJ/ZWJ, rupee sign,
// dotted circle, Khanda, North Indic number forms (all covered by the Debian
// font; mirrors Google Fonts' gurmukhi subset).
const GURMUKHI_RANGE =
  'U+0951-0952, U+0964-0965, U+0A00-0A7F, U+200C-200D, U+20B9, U+25CC, U+262C, U+A830-A839';

// Bootstrap Italia's fonts: exactly the faces its own loadFonts() declares
// (dist/plugins/fonts-loader.js), woff2 only. Family names match the
// font-family declarations in bootstrap-italia.min.css.
const BI_FONTS = [
  ['Titillium Web', 'Titillium_Web', 'titillium-web-v10-latin-ext_latin', [
    [300, 'normal', '300'], [300, 'italic', '300italic'],
    [400, 'normal', 'regular'], [400, 'italic', 'italic'],
    [600, 'normal', '600'], [600, 'italic', '600italic'],
    [700, 'normal', '700'], [700, 'italic', '700italic'],
  ]],
  ['Roboto Mono', 'Roboto_Mono', 'roboto-mono-v13-latin-ext_latin', [
    [400, 'normal', 'regular'], [400, 'italic', 'italic'],
    [700, 'normal', '700'], [700, 'italic', '700italic'],
  ]],
  ['Lora', 'Lora', 'lora-v20-latin-ext_latin', [
    [400, 'normal', 'regular'], [400, 'italic', 'italic'],
    [700, 'normal', '700'], [700, 'italic', '700italic'],
  ]],
];

// @fontsource packages: family name, subsets to keep (by the subset part of
// the file name; Noto Sans SC's chinese-simplified subset is split into
// numbered files), weights 400 + 700 (600 if there is no 700).
const NOTO = [
  { pkg: 'noto-sans-arabic', family: 'Noto Sans Arabic', subsets: (s) => s === 'arabic' },
  { pkg: 'noto-nastaliq-urdu', family: 'Noto Nastaliq Urdu', subsets: (s) => s === 'arabic' },
  { pkg: 'noto-sans-sc', family: 'Noto Sans SC', subsets: (s) => /^\d+$/.test(s) },
  { pkg: 'noto-sans-bengali', family: 'Noto Sans Bengali', subsets: (s) => s === 'bengali' },
  {
    pkg: 'noto-sans',
    family: 'Noto Sans',
    subsets: (s) => ['cyrillic', 'cyrillic-ext', 'latin-ext'].includes(s),
  },
];

class BuildError extends Error {}

function fail(msg) {
  throw new BuildError(msg);
}

function rel(p) {
  return path.relative(ROOT, p) || '.';
}

function mustExist(p, hint = '') {
  if (!fs.existsSync(p)) fail(`missing ${rel(p)}${hint ? ` (${hint})` : ''}`);
  return p;
}

function copy(src, dest) {
  mustExist(src);
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  fs.copyFileSync(src, dest);
}

function write(dest, text) {
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  fs.writeFileSync(dest, text);
}

// Drop the UTF-8 BOM and the trailing source-map comment (the .map is not
// shipped, and it would not match the RTL output anyway).
function cleanCss(css) {
  return css.replace(/^\uFEFF/, '').replace(/\n*\/\*# sourceMappingURL=[^*]*\*\/\s*$/, '\n');
}

function fontFace({ family, style, weight, src, range }) {
  const lines = [
    '@font-face {',
    `  font-family: "${family}";`,
    `  font-style: ${style};`,
    `  font-weight: ${weight};`,
    '  font-display: swap;',
    `  src: ${src};`,
  ];
  if (range) lines.push(`  unicode-range: ${range};`);
  lines.push('}');
  return lines.join('\n');
}

// ---------------------------------------------------------------- Bootstrap Italia

function buildBootstrapItalia() {
  const cssSrc = path.join(BI, 'css', 'bootstrap-italia.min.css');
  const css = cleanCss(fs.readFileSync(mustExist(cssSrc), 'utf8'));
  write(path.join(OUT, 'bootstrap-italia', 'css', 'bootstrap-italia.min.css'), css);

  // rtlcss 4 is CommonJS; configure() gives a postcss processor whose result
  // exposes warnings (rtlcss.process() would swallow them).
  const rtlcss = require('rtlcss');
  const result = rtlcss.configure({}).process(css, { from: undefined });
  const rtl = result.css;
  // Known and harmless: Bootstrap's breadcrumb carries the comment
  // `/* rtl: var(--bs-breadcrumb-divider, "/") */`, which rtlcss 4 does not
  // understand; it drops the comment and keeps the identical "/" divider.
  const warnings = result
    .warnings()
    .filter((w) => !/unsupported directive "\s*var\(--bs-breadcrumb-divider/.test(w.text));
  if (warnings.length) {
    console.warn(`rtlcss: ${warnings.length} warning(s), first: ${warnings[0].text}`);
  }
  write(path.join(OUT, 'bootstrap-italia', 'css', 'bootstrap-italia.rtl.min.css'), rtl);

  copy(
    path.join(BI, 'js', 'bootstrap-italia.bundle.min.js'),
    path.join(OUT, 'bootstrap-italia', 'js', 'bootstrap-italia.bundle.min.js'),
  );
  copy(path.join(BI, 'svg', 'sprites.svg'), path.join(OUT, 'bootstrap-italia', 'svg', 'sprites.svg'));

  const faces = [];
  for (const [family, dir, prefix, variants] of BI_FONTS) {
    for (const [weight, style, suffix] of variants) {
      const file = `${prefix}-${suffix}.woff2`;
      copy(path.join(BI, 'fonts', dir, file), path.join(FONTS_OUT, file));
      faces.push(fontFace({ family, style, weight, src: `url("fonts/${file}") format("woff2")` }));
    }
  }

  copy(path.join(NM, 'bootstrap-italia', 'LICENSE'), path.join(OUT, 'licenses', 'bootstrap-italia-LICENSE.txt'));
  copy(path.join(BI, 'fonts', 'Titillium_Web', 'OFL.txt'), path.join(OUT, 'licenses', 'titillium-web-OFL.txt'));
  copy(path.join(BI, 'fonts', 'Lora', 'OFL.txt'), path.join(OUT, 'licenses', 'lora-OFL.txt'));
  copy(path.join(BI, 'fonts', 'Roboto_Mono', 'LICENSE.txt'), path.join(OUT, 'licenses', 'roboto-mono-LICENSE.txt'));

  return faces;
}

// ---------------------------------------------------------------- @fontsource Noto

// Parse a fontsource weight stylesheet (e.g. 400.css) into its @font-face blocks.
function parseFontsourceCss(cssPath) {
  const css = fs.readFileSync(mustExist(cssPath), 'utf8');
  const blocks = [];
  for (const m of css.matchAll(/@font-face\s*\{([^}]*)\}/g)) {
    const body = m[1];
    const prop = (name) => {
      const p = body.match(new RegExp(`(?:^|;)\\s*${name}\\s*:\\s*([^;]+);`));
      return p ? p[1].trim() : null;
    };
    const family = (prop('font-family') || '').replace(/^['"]|['"]$/g, '');
    const woff2 = (prop('src') || '').match(/url\(\s*['"]?([^'")]+\.woff2)['"]?\s*\)/);
    const range = prop('unicode-range');
    if (!family || !woff2 || !range) fail(`unexpected @font-face block in ${rel(cssPath)}`);
    blocks.push({
      family,
      style: prop('font-style') || 'normal',
      weight: Number(prop('font-weight')),
      file: woff2[1],
      range,
    });
  }
  if (!blocks.length) fail(`no @font-face blocks found in ${rel(cssPath)}`);
  return blocks;
}

function buildNoto() {
  const faces = [];
  for (const { pkg, family, subsets } of NOTO) {
    const dir = path.join(NM, '@fontsource', pkg);
    const meta = JSON.parse(fs.readFileSync(mustExist(path.join(dir, 'metadata.json')), 'utf8'));
    if (!meta.weights.includes(400)) fail(`@fontsource/${pkg} has no weight 400`);
    const bold = meta.weights.includes(700) ? 700 : meta.weights.includes(600) ? 600 : null;
    if (!bold) fail(`@fontsource/${pkg} has neither weight 700 nor 600`);

    let kept = 0;
    for (const weight of [400, bold]) {
      const cssPath = path.join(dir, `${weight}.css`);
      for (const b of parseFontsourceCss(cssPath)) {
        if (b.family !== family) fail(`${rel(cssPath)} declares "${b.family}", expected "${family}"`);
        const file = path.posix.basename(b.file);
        const subset = file
          .replace(new RegExp(`^${pkg}-`), '')
          .replace(new RegExp(`-${b.weight}-${b.style}\\.woff2$`), '');
        if (!subsets(subset)) continue;
        copy(path.join(dir, 'files', file), path.join(FONTS_OUT, file));
        faces.push(
          fontFace({
            family,
            style: b.style,
            weight: b.weight,
            src: `url("fonts/${file}") format("woff2")`,
            range: b.range,
          }),
        );
        kept++;
      }
    }
    if (!kept) fail(`no matching subsets copied from @fontsource/${pkg}`);
    copy(path.join(dir, 'LICENSE'), path.join(OUT, 'licenses', `${pkg}-OFL.txt`));
  }
  return faces;
}

// ---------------------------------------------------------------- Gurmukhi (Debian)

function buildGurmukhi() {
  const regular = path.join(GURMUKHI_DIR, 'NotoSansGurmukhi-Regular.ttf');
  if (!fs.existsSync(regular)) {
    console.warn(
      `warning: ${regular} not found (apt-get install fonts-noto-core); ` +
        'skipping "Noto Sans Gurmukhi", Punjabi falls back to system fonts.',
    );
    return [];
  }
  const faces = [];
  for (const [weight, name] of [[400, 'Regular'], [700, 'Bold']]) {
    const src = path.join(GURMUKHI_DIR, `NotoSansGurmukhi-${name}.ttf`);
    if (!fs.existsSync(src)) continue;
    const file = path.basename(src);
    copy(src, path.join(FONTS_OUT, file));
    faces.push(
      fontFace({
        family: 'Noto Sans Gurmukhi',
        style: 'normal',
        weight,
        src: `url("fonts/${file}") format("truetype")`,
        range: GURMUKHI_RANGE,
      }),
    );
  }
  const lic = ['/usr/share/doc/fonts-noto-core/copyright'].find((p) => fs.existsSync(p));
  if (lic) copy(lic, path.join(OUT, 'licenses', 'fonts-noto-core-copyright.txt'));
  return faces;
}

// ---------------------------------------------------------------- checks

// Every url()/@import target in every generated stylesheet must be a data: URI
// or a relative path to a file inside static/vendor. Remote references fail.
function extractUrls(css) {
  const urls = [];
  const src = css.replace(/\/\*[\s\S]*?\*\//g, '');
  const re = /url\(\s*/gi;
  let m;
  while ((m = re.exec(src))) {
    let i = re.lastIndex;
    let value;
    const q = src[i];
    if (q === '"' || q === "'") {
      let j = i + 1;
      while (j < src.length && src[j] !== q) j += src[j] === '\\' ? 2 : 1;
      value = src.slice(i + 1, j);
      i = j + 1;
    } else {
      const j = src.indexOf(')', i);
      value = src.slice(i, j === -1 ? undefined : j).trim();
      i = j;
    }
    re.lastIndex = Math.max(i, re.lastIndex);
    urls.push(value);
  }
  // @import "x" (string form; @import url(x) is already covered above)
  for (const im of src.matchAll(/@import\s+(['"])(.*?)\1/gi)) urls.push(im[2]);
  return urls;
}

function checkCssReferences() {
  const problems = [];
  const referenced = new Set();
  let checked = 0;
  for (const cssFile of walk(OUT).filter((f) => f.endsWith('.css'))) {
    const css = fs.readFileSync(cssFile, 'utf8');
    for (const raw of extractUrls(css)) {
      if (/^data:/i.test(raw)) continue;
      checked++;
      if (/^([a-z][a-z0-9+.-]*:|\/\/)/i.test(raw)) {
        problems.push(`${rel(cssFile)}: remote/absolute reference ${raw}`);
        continue;
      }
      if (raw.startsWith('/')) {
        problems.push(`${rel(cssFile)}: root-relative reference ${raw} (not portable)`);
        continue;
      }
      const target = path.resolve(path.dirname(cssFile), decodeURI(raw.replace(/[?#].*$/, '')));
      if (!target.startsWith(OUT + path.sep)) {
        problems.push(`${rel(cssFile)}: ${raw} points outside static/vendor`);
      } else if (!fs.existsSync(target)) {
        problems.push(`${rel(cssFile)}: ${raw} -> ${rel(target)} does not exist`);
      } else {
        referenced.add(target);
      }
    }
  }
  for (const f of walk(FONTS_OUT)) {
    if (!referenced.has(f)) problems.push(`${rel(f)} is copied but no stylesheet references it`);
  }
  if (problems.length) {
    fail(`CSS reference check failed:\n  - ${problems.join('\n  - ')}`);
  }
  return checked;
}

function walk(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]))
    .sort();
}

// ---------------------------------------------------------------- main

function main() {
  mustExist(NM, 'run `npm ci --no-audit --no-fund` first');
  if (path.basename(OUT) !== 'vendor' || path.basename(path.dirname(OUT)) !== 'static') {
    fail(`refusing to wipe unexpected output directory ${OUT}`);
  }
  fs.rmSync(OUT, { recursive: true, force: true });
  fs.mkdirSync(FONTS_OUT, { recursive: true });

  const biFaces = buildBootstrapItalia();
  const notoFaces = buildNoto();
  const gurmukhiFaces = buildGurmukhi();

  const header = [
    '/*',
    ' * Self-hosted web fonts for Ponte. GENERATED by static/src/build.mjs - do not edit.',
    ' * Replaces Bootstrap Italia\'s JavaScript loadFonts(); unicode-range values for the',
    ' * Noto families come from the @fontsource packages. Licences: ./licenses/',
    ' */',
  ].join('\n');
  const section = (title, faces) => (faces.length ? [`/* ${title} */`, ...faces] : []);
  write(
    path.join(OUT, 'fonts.css'),
    [
      header,
      ...section('Bootstrap Italia: Titillium Web, Roboto Mono, Lora', biFaces),
      ...section('Noto (@fontsource)', notoFaces),
      ...section('Noto Sans Gurmukhi (Debian fonts-noto-core)', gurmukhiFaces),
    ].join('\n\n') + '\n',
  );

  const refs = checkCssReferences();

  const files = walk(OUT);
  const size = (list) => list.reduce((n, f) => n + fs.statSync(f).size, 0);
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  const fontFiles = files.filter((f) => f.startsWith(FONTS_OUT + path.sep));
  const show = (p) => `  ${rel(p).padEnd(62)} ${kb(fs.statSync(p).size).padStart(10)}`;
  console.log('static/vendor built:');
  for (const f of files.filter((f) => !f.startsWith(FONTS_OUT + path.sep) && !f.includes(`${path.sep}licenses${path.sep}`))) {
    console.log(show(f));
  }
  console.log(
    `  ${'static/vendor/fonts/ ('.concat(fontFiles.length, ' files, ', biFaces.length + notoFaces.length + gurmukhiFaces.length, ' @font-face rules)').padEnd(62)} ${kb(size(fontFiles)).padStart(10)}`,
  );
  console.log(`  url() references checked: ${refs}, all resolve`);
  console.log(`  total: ${files.length} files, ${kb(size(files))}`);
}

try {
  main();
} catch (err) {
  if (err instanceof BuildError) {
    console.error(`build failed: ${err.message}`);
    process.exit(1);
  }
  throw err;
}
