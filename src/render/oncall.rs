//! On-call and audit-log pages (escalation policies documented vs configured, schedules,
//! coverage, overrides; PagerDuty audit records). TEMPORARY until the fetch branch lands.
use super::charts_page::ChartView;
use super::site::Ctx;
use crate::ingest::Inputs;
use anyhow::Result;
use serde_json::Value;
pub fn has_oncall(_inputs: &Inputs) -> bool {
    false
}
pub fn has_audit_log(_inputs: &Inputs) -> bool {
    false
}
pub fn coverage_by_month(_ctx: &Ctx) -> Vec<(String, f64)> {
    Vec::new()
}
pub fn fetch_records(_ctx: &Ctx) -> Vec<Value> {
    Vec::new()
}
pub fn policy_name(_ctx: &Ctx, id: &str) -> String {
    id.to_string()
}
pub fn pages(_ctx: &Ctx, _charts: &[ChartView]) -> Result<()> {
    Ok(())
}
