//! Rendering: tera pages, plotters charts, sanitized markdown.
pub mod charts;
