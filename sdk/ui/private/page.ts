/** The page's HTML shell: the script and style sheet come from the server itself, never a CDN. */

/** The HTML of every page; the script routes by the address's `#` part. */
export function pageHtml(kind: "local" | "remote"): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>stepflow runs</title>
<link rel="stylesheet" href="/app.css">
<link rel="icon" href="data:,">
</head>
<body data-source="${kind}">
<div id="app"><p class="loading">loading…</p></div>
<script type="module" src="/app.js"></script>
</body>
</html>
`;
}

/**
 * The page loads only the server's own script, styles and data: no inline script, no other
 * origin, no framing (another site cannot overlay it).
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
