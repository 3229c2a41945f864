use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;

use crate::cli::BuildArgs;

pub fn run(_args: &BuildArgs) -> Result<ExitCode> {
    anyhow::bail!("not yet built")
}

/// Builds the evidence site of `config` into `out` (used by `build`, `serve` and `package`).
pub fn build_site(_config: &crate::Config, _out: &Path, _quiet: bool) -> Result<()> {
    anyhow::bail!("site build not yet available")
}
