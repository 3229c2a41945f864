use std::process::ExitCode;

use anyhow::Result;

use crate::cli::{FetchJiraArgs, FetchPagerdutyArgs};

pub fn pagerduty(_args: &FetchPagerdutyArgs) -> Result<ExitCode> {
    anyhow::bail!("not yet built")
}

pub fn jira(_args: &FetchJiraArgs) -> Result<ExitCode> {
    anyhow::bail!("not yet built")
}
