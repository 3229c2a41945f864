use std::process::ExitCode;

use anyhow::Result;

use crate::cli::BuildArgs;

pub fn run(_args: &BuildArgs) -> Result<ExitCode> {
    anyhow::bail!("not yet built")
}

/// Builds the site described by `config` into `out` (used by `build`, `serve`, `package` and the
/// benchmark).
pub fn build_site(_config: &crate::Config, _out: &std::path::Path, _quiet: bool) -> Result<()> {
    anyhow::bail!("build_site is not implemented yet")
}
