//! Rendering: tera pages, plotters charts, sanitized markdown.
