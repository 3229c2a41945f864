//! Rendering: the evidence as a static site of tera pages, SVG charts, the register files,
//! `data/summary.json` and verbatim copies of every input.

pub mod markdown;
pub mod register;
pub mod site;
pub mod theme;
pub mod views;

pub use site::render_site;
pub mod charts;
pub mod charts_page;
pub mod oncall;
