const path = require('path');
const { task, src, dest, parallel } = require('gulp');

// Icons (light and dark SVGs) and codex files (<Node>.node.json, read by n8n beside each
// <Node>.node.js) are not TypeScript, so tsc does not emit them: copy them into dist/.
const copy = (pattern, folder) => () =>
	src(path.resolve(folder, '**', pattern), { encoding: false }).pipe(dest(path.resolve('dist', folder)));

task('build:icons', parallel(copy('*.{png,svg}', 'nodes'), copy('*.{png,svg}', 'credentials')));
task('build:codex', copy('*.node.json', 'nodes'));
