"""The public site build: validated content rendered to Markdown pages and assets (`render/`,
`templates/`), built by MkDocs with our theme (`engine`, `config`, `theme/`), cached per input
(`cache`, `pagecache`), checked for its Content-Security-Policy (`csp`) and swapped into `site/`
atomically (`build`); `serve` serves the result together with the survey app.
"""
