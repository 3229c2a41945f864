use std::process::ExitCode;

use anyhow::Result;

use crate::cli::VerifyArgs;

pub fn run(_args: &VerifyArgs) -> Result<ExitCode> {
    anyhow::bail!("not yet built")
}
