use std::process::ExitCode;

use anyhow::Result;

use crate::cli::ServeArgs;

pub fn run(_args: &ServeArgs) -> Result<ExitCode> {
    anyhow::bail!("not yet built")
}
