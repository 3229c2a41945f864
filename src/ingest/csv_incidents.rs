//! TEMPORARY shim; replaced by the csv branch.
use super::population::RowOutcome;
pub struct CsvRead { pub variant: &'static str, pub rows: Vec<RowOutcome>, pub notes: Vec<String> }
pub fn read(_rel: &str, _bytes: &[u8], _tz: chrono_tz::Tz) -> anyhow::Result<CsvRead> { anyhow::bail!("shim") }
