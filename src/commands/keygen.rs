use std::process::ExitCode;

use anyhow::Result;

use crate::cli::KeygenArgs;

pub fn run(_args: &KeygenArgs) -> Result<ExitCode> {
    anyhow::bail!("not yet built")
}
