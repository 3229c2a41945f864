use std::process::ExitCode;

use anyhow::Result;

use crate::cli::InitArgs;

pub fn run(_args: &InitArgs) -> Result<ExitCode> {
    anyhow::bail!("not yet built")
}
