//! TEMPORARY interface shim; replaced by the charts branch.
use crate::evidence::Evidence;
use crate::model::SeverityLevel;
use serde::Serialize;
#[derive(Debug, Clone, Serialize)]
pub struct DataTable {
    pub caption: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub notes: Vec<String>,
}
#[derive(Debug, Clone, Serialize)]
pub struct Chart {
    pub file: String,
    pub title: String,
    pub description: String,
    pub svg: String,
    pub table: DataTable,
}
#[derive(Debug, Clone, Serialize)]
pub struct ResponderLoad {
    pub name: String,
    pub pages: u64,
    pub off_hours: Option<u64>,
}
pub fn render_all(
    _e: &Evidence,
    _l: &[SeverityLevel],
    _o: &[ResponderLoad],
    _c: &[(String, f64)],
) -> Vec<Chart> {
    Vec::new()
}
