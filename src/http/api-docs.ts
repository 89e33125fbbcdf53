/**
 * /api/docs: the OpenAPI document rendered as one static HTML page (no scripts, so it works under
 * our Content-Security-Policy and offline). Schemas are shown as compact TypeScript-like types.
 */

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  description?: string;
  additionalProperties?: boolean | JsonSchema;
  patternProperties?: Record<string, JsonSchema>;
  format?: string;
}

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  description?: string;
  schema?: JsonSchema;
}

interface Operation {
  summary?: string;
  description?: string;
  tags?: string[];
  security?: unknown[];
  'x-pulse-admin'?: boolean;
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: JsonSchema }> }>;
}

export interface OpenApiDocument {
  info: { title: string; version: string; description?: string };
  paths?: Record<string, Record<string, Operation>>;
}

const METHODS = ['get', 'put', 'post', 'patch', 'delete', 'head', 'options'];

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** A schema as a short type expression, nested objects indented. */
export function schemaToType(s: JsonSchema | undefined, indent = ''): string {
  if (!s) return 'unknown';
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(' | ');
  const union = s.anyOf ?? s.oneOf;
  if (union) return union.map((u) => schemaToType(u, indent)).join(' | ');
  if (s.allOf) return s.allOf.map((u) => schemaToType(u, indent)).join(' & ');
  const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  if (types.length > 1) return types.map((t) => schemaToType({ ...s, type: t }, indent)).join(' | ');
  switch (types[0]) {
    case 'array':
      return `${schemaToType(s.items, indent)}[]`;
    case 'integer':
    case 'number':
    case 'boolean':
    case 'null':
      return types[0];
    case 'string':
      return s.format ? `string (${s.format})` : 'string';
    case 'object':
    case undefined: {
      const props = Object.entries(s.properties ?? {});
      const extra = s.additionalProperties ?? s.patternProperties;
      if (props.length === 0) {
        if (typeof extra === 'object') {
          const value = 'type' in extra || 'anyOf' in extra ? extra : Object.values(extra)[0];
          return `Record<string, ${schemaToType(value as JsonSchema, indent)}>`;
        }
        return types[0] ? 'object' : 'unknown';
      }
      const inner = `${indent}  `;
      const lines = props.map(([name, p]) => {
        const opt = s.required?.includes(name) ? '' : '?';
        const note = p.description ? ` // ${p.description}` : '';
        return `${inner}${name}${opt}: ${schemaToType(p, inner)};${note}`;
      });
      if (extra) lines.push(`${inner}…`);
      return `{\n${lines.join('\n')}\n${indent}}`;
    }
    default:
      return String(types[0]);
  }
}

function renderOperation(method: string, path: string, op: Operation): string {
  const access = op.security && op.security.length === 0 ? 'public' : op['x-pulse-admin'] ? 'admin' : 'signed in';
  const params = (op.parameters ?? []).filter((p) => p.in !== 'header' && p.in !== 'cookie');
  const body = op.requestBody?.content?.['application/json']?.schema;
  const parts = [
    `<section class="op" id="${esc(`${method}-${path}`)}">`,
    `<h3><span class="m ${method}">${method.toUpperCase()}</span> <code>${esc(path)}</code> <span class="access">${access}</span></h3>`,
  ];
  if (op.summary) parts.push(`<p>${esc(op.summary)}</p>`);
  if (op.description) parts.push(`<p>${esc(op.description)}</p>`);
  if (params.length) {
    const rows = params.map(
      (p) =>
        `<tr><td><code>${esc(p.name)}</code></td><td>${p.in}</td><td><code>${esc(schemaToType(p.schema))}</code></td><td>${p.required ? 'required' : ''}</td><td>${esc(p.description ?? p.schema?.description ?? '')}</td></tr>`,
    );
    parts.push(`<table><tr><th>Parameter</th><th>In</th><th>Type</th><th></th><th></th></tr>${rows.join('')}</table>`);
  }
  if (body) parts.push(`<h4>Request body</h4><pre>${esc(schemaToType(body))}</pre>`);
  for (const [status, res] of Object.entries(op.responses ?? {})) {
    const content = res.content ?? {};
    const schema = Object.values(content)[0]?.schema;
    parts.push(`<h4>${esc(status)} ${esc(res.description ?? '')}</h4>`);
    if (schema) parts.push(`<pre>${esc(schemaToType(schema))}</pre>`);
  }
  parts.push('</section>');
  return parts.join('\n');
}

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:980px;padding:1rem 1.5rem;color:#1c1f24;background:#fafbfc}
h1{margin-bottom:.2rem}nav{columns:3;font-size:13px;margin:1rem 0}nav a{display:block;text-decoration:none}
.op{border:1px solid #d9dde3;border-radius:6px;padding:.4rem .9rem;margin:.8rem 0;background:#fff}
.m{display:inline-block;min-width:4.2em;text-align:center;border-radius:4px;color:#fff;font-size:12px;padding:1px 4px}
.get{background:#2b6cb0}.post{background:#2f855a}.put{background:#b7791f}.patch{background:#805ad5}.delete{background:#c53030}.head{background:#4a5568}
.access{font-size:12px;color:#5a6270;font-weight:normal}pre{background:#f3f4f6;padding:.5rem;overflow:auto;font-size:12px}
table{border-collapse:collapse;font-size:13px}td,th{border-bottom:1px solid #eee;padding:2px 8px;text-align:left}h4{margin:.6rem 0 .2rem}`;

export function renderApiDocs(doc: OpenApiDocument): string {
  const byTag = new Map<string, string[]>();
  const toc: string[] = [];
  for (const [path, ops] of Object.entries(doc.paths ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    for (const method of METHODS) {
      const op = ops[method];
      if (!op) continue;
      const tag = op.tags?.[0] ?? 'api';
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag)?.push(renderOperation(method, path, op));
      toc.push(`<a href="#${esc(`${method}-${path}`)}">${method.toUpperCase()} ${esc(path)}</a>`);
    }
  }
  const sections = [...byTag].map(([tag, ops]) => `<h2>${esc(tag)}</h2>\n${ops.join('\n')}`);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(doc.info.title)} ${esc(doc.info.version)}</title>
<meta name="viewport" content="width=device-width,initial-scale=1"><style>${STYLE}</style></head><body>
<h1>${esc(doc.info.title)} <small>${esc(doc.info.version)}</small></h1>
<p>${esc(doc.info.description ?? '')} The machine-readable document is <a href="/api/openapi.json">/api/openapi.json</a>.</p>
<nav>${toc.join('')}</nav>
${sections.join('\n')}
</body></html>`;
}
