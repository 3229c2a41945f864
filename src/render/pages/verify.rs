//! verify.html: how to check the package's manifest and signature, by its file name.

use anyhow::Result;
use serde::Serialize;

use crate::render::context::Ctx;

#[derive(Serialize)]
struct VerifyPage {
    name: String,
}

pub fn render(ctx: &Ctx) -> Result<usize> {
    let data = VerifyPage {
        name: ctx.config.package_name(),
    };
    ctx.page(
        "verify.html",
        "verify.html",
        "How to verify this package",
        &data,
    )?;
    Ok(1)
}
