// Writes src/api/schema.d.ts from docs/openapi.json (`npm run api:types`); with --check it
// regenerates into a temporary file and fails when that differs from the committed one
// (`npm run api:check`), so the client's types cannot drift from the server's document.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString, COMMENT_HEADER } from 'openapi-typescript';

const web = fileURLToPath(new URL('../../', import.meta.url));
const source = join(web, '..', 'docs', 'openapi.json');
const target = join(web, 'src', 'api', 'schema.d.ts');
const shown = (path) => relative(process.cwd(), path);

const generated = COMMENT_HEADER + astToString(await openapiTS(await readFile(source, 'utf8')));

if (!process.argv.includes('--check')) {
  await writeFile(target, generated);
  console.log(`${shown(target)} written from ${shown(source)}`);
} else {
  const folder = await mkdtemp(join(tmpdir(), 'tms-api-types-'));
  const fresh = join(folder, 'schema.d.ts');
  await writeFile(fresh, generated);
  const committed = await readFile(target, 'utf8').catch(() => '');
  if ((await readFile(fresh, 'utf8')) === committed) {
    await rm(folder, { recursive: true });
    console.log(`${shown(target)} matches ${shown(source)}`);
  } else {
    console.error(
      `${shown(target)} is out of date with ${shown(source)}: run \`npm run api:types\` and commit the result ` +
        `(compare: diff ${shown(target)} ${fresh})`,
    );
    process.exitCode = 1;
  }
}
