/** `npm run openapi [-- FILE]`: writes the OpenAPI document (default openapi.json). */
import { writeFile } from 'node:fs/promises';
import { openApiDocument } from './local/openapi.js';

const file = process.argv[2] ?? 'openapi.json';
await writeFile(file, `${JSON.stringify(openApiDocument(), null, 2)}\n`);
console.log(file);
