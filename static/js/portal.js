// Progressive enhancement only; every page works without it (no inline script: CSP).
