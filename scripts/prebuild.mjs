// `npm run build:prebuilt` (and `npm pack` through prepack): builds the addon for this platform with
// prebuildify (Node-API 9, stripped) into prebuilds/<platform>-<arch>/strom.glibc.node (or .musl),
// the file node-gyp-build loads in an installed package. The libc tag keeps a glibc build from
// being loaded on Alpine, where it could not link: there the install compiles from source.
//
// It compiles in a staging folder, build-prebuild/ (git-ignored), never in build/: prebuildify
// runs `node-gyp rebuild`, which deletes build/ first, and build/Release is the checkout's own
// addon that running tests and jobs load. The staging folder holds a copy of binding.gyp and a
// link to native/; node_modules (node-addon-api) is found by walking up to the checkout.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const stage = join(root, 'build-prebuild');

rmSync(stage, { recursive: true, force: true });
mkdirSync(stage);
copyFileSync(join(root, 'binding.gyp'), join(stage, 'binding.gyp'));
symlinkSync(join(root, 'native'), join(stage, 'native'), 'dir');

const prebuildify = join(dirname(createRequire(import.meta.url).resolve('prebuildify/package.json')), 'bin.js');
const result = spawnSync(
  process.execPath,
  [prebuildify, '--napi', '--strip', '--tag-libc', '--name', 'strom', '--cwd', stage, '--out', root],
  { cwd: stage, stdio: 'inherit' },
);
rmSync(stage, { recursive: true, force: true });
if (result.status !== 0) {
  process.stderr.write(
    'build:prebuilt: prebuildify failed (see above). It needs python3, make and a C++20 compiler, ' +
      'and must run through npm (`npm run build:prebuilt`) so node-gyp finds the Node headers.\n',
  );
  process.exit(result.status ?? 1);
}
