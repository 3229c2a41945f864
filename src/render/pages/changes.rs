//! changes.html: "Changes since last period", written only when the build has a previous
//! package (`[package] previous`). The comparison itself is `evidence::changes`, kept in
//! `Evidence.changes`.

use anyhow::Result;

use crate::render::context::Ctx;

pub fn render(ctx: &Ctx) -> Result<usize> {
    let Some(data) = &ctx.evidence.changes else {
        return Ok(0);
    };
    ctx.page(
        "changes.html",
        "changes.html",
        "Changes since last period",
        data,
    )?;
    Ok(1)
}
