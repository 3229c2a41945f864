use std::process::ExitCode;

use anyhow::Result;

use crate::cli::BuildArgs;

pub fn run(_args: &BuildArgs) -> Result<ExitCode> {
    anyhow::bail!("not yet built")
}
