//! changes.html: "Changes since last period", written only when the build has a previous
//! package (`[package] previous`). The comparison itself is `evidence::changes`.

use anyhow::Result;

use crate::evidence::changes;
use crate::render::context::Ctx;

pub fn render(ctx: &Ctx) -> Result<usize> {
    let Some(data) = changes::compute(ctx.inputs, &ctx.evidence.summary) else {
        return Ok(0);
    };
    ctx.page(
        "changes.html",
        "changes.html",
        "Changes since last period",
        &data,
    )?;
    Ok(1)
}
