use std::process::ExitCode;

use anyhow::Result;

use crate::cli::PackageArgs;

pub fn run(_args: &PackageArgs) -> Result<ExitCode> {
    anyhow::bail!("not yet built")
}
