//! The theme: templates and static assets embedded from `themes/default/`, overridable file by
//! file from the site's own `themes/<name>/` (as Zola and mdBook do).

use std::path::Path;

use anyhow::{Context, Result};

macro_rules! embed {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../themes/default/templates/", $name)))),*]
    };
}

/// Every template of the default theme, by name.
pub const TEMPLATES: &[(&str, &str)] = embed!(
    "base.html",
    "macros.html",
    "index.html",
    "register.html",
    "register-row.html",
    "severity.html",
    "incident.html",
    "postmortems.html",
    "postmortem.html",
    "policies.html",
    "policy.html",
    "population.html",
    "exceptions.html",
    "controls.html",
    "method.html",
    "verify.html",
    "sample.html",
    "oncall.html",
    "audit-log.html",
);

/// Static assets of the default theme, copied to `assets/`.
pub const ASSETS: &[(&str, &[u8])] = &[
    (
        "style.css",
        include_bytes!("../../themes/default/static/style.css"),
    ),
    (
        "register.js",
        include_bytes!("../../themes/default/static/register.js"),
    ),
];

/// Loads the templates: embedded defaults, then the site's overrides by file name.
pub fn templates(site_root: &Path, theme: &str) -> Result<tera::Tera> {
    let mut tera = tera::Tera::default();
    let dir = site_root.join("themes").join(theme).join("templates");
    let mut sources: Vec<(String, String)> = Vec::new();
    for (name, text) in TEMPLATES {
        let path = dir.join(name);
        let text = if path.is_file() {
            std::fs::read_to_string(&path)
                .with_context(|| format!("{}: cannot read", path.display()))?
        } else {
            (*text).to_string()
        };
        sources.push(((*name).to_string(), text));
    }
    tera.add_raw_templates(sources)
        .map_err(|e| anyhow::anyhow!("theme `{theme}`: {}", tera_chain(&e)))?;
    tera.autoescape_on(vec![".html"]);
    tera.set_escape_fn(escape_html);
    Ok(tera)
}

/// HTML escaping for text and attribute values. Tera's default also escapes `/` as `&#x2F;`,
/// which is needless in HTML and makes every relative link unreadable in the page source.
pub fn escape_html(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    for c in input.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            _ => out.push(c),
        }
    }
    out
}

/// Static assets: embedded defaults, each replaced by the site's file of the same name if present.
pub fn assets(site_root: &Path, theme: &str) -> Result<Vec<(String, Vec<u8>)>> {
    let dir = site_root.join("themes").join(theme).join("static");
    ASSETS
        .iter()
        .map(|(name, bytes)| {
            let path = dir.join(name);
            let data = if path.is_file() {
                std::fs::read(&path).with_context(|| format!("{}: cannot read", path.display()))?
            } else {
                bytes.to_vec()
            };
            Ok(((*name).to_string(), data))
        })
        .collect()
}

/// Tera errors hide the useful part in their source chain.
pub fn tera_chain(e: &tera::Error) -> String {
    let mut msg = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        source = s.source();
    }
    msg
}
