//! Rendering: the evidence as a static site of tera pages, SVG charts, the register files,
//! `data/summary.json` and verbatim copies of every input.

pub mod charts;
pub mod charts_page;
pub mod markdown;
pub mod oncall;
pub mod register;
pub mod site;
pub mod theme;
pub mod views;

pub use site::render_site;
