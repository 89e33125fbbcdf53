/**
 * Loads the official Proxmox API schema trees (pve-, pbs-, pmg-apidata.js from the API viewers)
 * and flattens them into a path → method → definition index. The files are JavaScript, not JSON:
 * the array literal after the first `= [` is valid JSON, so we cut it out with a string-aware
 * bracket scanner instead of evaluating the viewer code that follows it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type Product = 'pve' | 'pbs' | 'pmg';

/** A JSON-schema-like node in Proxmox's dialect (optional: 1, typetext, format strings …). */
export type PxSchema = Record<string, any>;

export interface MethodDef {
  method: string;
  parameters?: PxSchema;
  returns?: PxSchema;
  permissions?: PxSchema;
  allowtoken?: number | boolean;
  protected?: number | boolean;
}

export interface PathDef {
  path: string;
  info: Record<string, MethodDef>;
}

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** Where the schema files live: PROXMOX_APIDATA_DIR, else ../shared/proxmox-api next to the project. */
export function apidataDir(): string {
  if (process.env.PROXMOX_APIDATA_DIR) return process.env.PROXMOX_APIDATA_DIR;
  const candidates = [
    path.resolve(HERE, '../../../shared/proxmox-api'),
    path.resolve(HERE, '../../shared/proxmox-api'),
    path.resolve(HERE, '../schema-data'),
  ];
  return candidates.find((c) => fs.existsSync(path.join(c, 'pve-apidata.js'))) ?? candidates[0];
}

/** Returns the JSON text of the first top-level array literal assigned in `source`. */
export function extractArrayLiteral(source: string): string {
  const start = source.indexOf('[', source.search(/=\s*\[/));
  if (start < 0) throw new Error('no array literal found');
  let depth = 0;
  let inString = false;
  for (let i = start; i < source.length; i++) {
    const c = source[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') {
      depth--;
      if (depth === 0) return source.slice(start, i + 1);
    }
  }
  throw new Error('unterminated array literal');
}

function flatten(nodes: any[], out: Map<string, PathDef>): void {
  for (const n of nodes) {
    if (n.path) out.set(n.path, { path: n.path, info: n.info ?? {} });
    if (Array.isArray(n.children)) flatten(n.children, out);
  }
}

const cache = new Map<Product, Map<string, PathDef>>();

/** The flattened schema of a product, loaded once per process. */
export function loadApiSchema(product: Product): Map<string, PathDef> {
  const hit = cache.get(product);
  if (hit) return hit;
  const file = path.join(apidataDir(), `${product}-apidata.js`);
  const tree = JSON.parse(extractArrayLiteral(fs.readFileSync(file, 'utf8')));
  const out = new Map<string, PathDef>();
  flatten(tree, out);
  cache.set(product, out);
  return out;
}

export function methodDef(product: Product, template: string, method: string): MethodDef | undefined {
  return loadApiSchema(product).get(template)?.info[method];
}
