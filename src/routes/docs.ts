import { Hono } from "hono";
import type { AppEnv } from "../env";

// The page as one string: where a line would be too wide it is cut into pieces joined with `+`
// (no newline added), so the page served is the same, byte for byte.
const PAGE =
  `<!doctype html><html lang="en"><head><meta charset="utf-8">` +
  `<meta name="viewport" content="width=device-width,initial-scale=1">
<title>Edge Tickets API</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:960px;margin:2rem auto;padding:0 1rem;color:#1d2433}
h2{margin-top:2rem;border-bottom:1px solid #dde}` +
  `.op{margin:.4rem 0;padding:.5rem .75rem;border:1px solid #e3e6ef;border-radius:8px}
.m{display:inline-block;min-width:4.5rem;font-weight:700;font-family:ui-monospace,monospace}` +
  `.GET{color:#047857}.POST{color:#06c}.PUT,.PATCH{color:#9a4f00}.DELETE{color:#c33}
code{font-family:ui-monospace,monospace}` +
  `details pre{background:#f6f7fb;padding:.5rem;overflow:auto;font-size:12px}</style></head>
<body><main><h1>Edge Tickets API</h1>` +
  `<p>Machine-readable: <a href="/v1/openapi.json"><code>/v1/openapi.json</code></a> (OpenAPI 3.1). ` +
  `Errors are RFC 9457 <code>application/problem+json</code>.</p>
<div id="ops">Loading…</div></main>
<script>
fetch('/v1/openapi.json').then(r=>r.json()).then(doc=>{
  const byTag={};
  for(const [path,item] of Object.entries(doc.paths)) for(const [method,op] of Object.entries(item)){
    const tag=(op.tags&&op.tags[0])||'other';(byTag[tag]??=[]).push({path,method:method.toUpperCase(),op});
  }
  const esc=s=>String(s).replace(/[&<>"]/g,ch=>({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[ch]));
  document.getElementById('ops').innerHTML=Object.entries(byTag).map(([tag,ops])=>'<h2>'+esc(tag)+'</h2>'+ops.map(o=>
    '<div class="op"><span class="m '+o.method+'">'+o.method+'</span> <code>'+esc(o.path)+'</code> '` +
  `+esc(o.op.summary||'')+
    '<details><summary>schema</summary><pre>'` +
  `+esc(JSON.stringify({parameters:o.op.parameters,requestBody:o.op.requestBody,responses:o.op.responses},null,2))` +
  `+'</pre></details></div>').join('')).join('');
});
</script></body></html>`;

/**
 * `/docs`: a dependency-free page that renders `/v1/openapi.json` in the browser. Swagger UI would
 * pull scripts from a CDN, which the offline local demo cannot reach.
 */
export const docs = new Hono<AppEnv>().get("/", (c) => c.html(PAGE));
