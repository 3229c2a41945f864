//! verify.html: how to check the package's manifest and signature, by its file name.

use anyhow::Result;
use serde::Serialize;

use crate::render::context::Ctx;

#[derive(Serialize)]
struct VerifyPage {
    name: String,
    previous: Option<PreviousView>,
}

/// The hash chain's link to the previous period's package.
#[derive(Serialize)]
struct PreviousView {
    zip_name: String,
    sha256: String,
    identifier: String,
    /// Whether changes.html exists (the previous package carried its sources).
    changes: bool,
}

pub fn render(ctx: &Ctx) -> Result<usize> {
    let data = VerifyPage {
        name: ctx.config.package_name(),
        previous: ctx.inputs.previous.as_ref().map(|p| PreviousView {
            zip_name: p.zip_name.clone(),
            sha256: p.zip_sha256.clone(),
            identifier: p.identifier.clone(),
            changes: p.inputs.is_some(),
        }),
    };
    ctx.page(
        "verify.html",
        "verify.html",
        "How to verify this package",
        &data,
    )?;
    Ok(1)
}
