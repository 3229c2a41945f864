//! The theme: templates and static assets embedded from `themes/default/`, overridable file by
//! file from the site's own `themes/<name>/` (as Zola and mdBook do). Every `*.html` under the
//! site theme's `templates/` is loaded, so a theme can add its own partials and include them
//! (`{% include "my-partial.html" %}`) as well as replace the default templates by name.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result};

macro_rules! embed {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../themes/default/templates/", $name)))),*]
    };
}

/// Every template of the default theme, by name (a test keeps this list equal to the directory).
pub const TEMPLATES: &[(&str, &str)] = embed!(
    "base.html",
    "macros.html",
    "index.html",
    "register.html",
    "register-row.html",
    "severity.html",
    "incident.html",
    "incident-parts.html",
    "postmortems.html",
    "postmortem.html",
    "policies.html",
    "policy.html",
    "population.html",
    "population-proof.html",
    "exceptions.html",
    "exception-kind.html",
    "controls.html",
    "method.html",
    "verify.html",
    "sample.html",
    "workpaper.html",
    "workpapers.html",
    "oncall.html",
    "audit-log.html",
    "changes.html",
    "configuration.html",
    "automation.html",
    "automation-runs.html",
    "source.html",
    "requests.html",
    "customers.html",
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

/// Loads the templates: the embedded defaults, then every `*.html` under the site theme's
/// `templates/` (named by its path there, `/`-separated), replacing a default of the same name.
pub fn templates(site_root: &Path, theme: &str) -> Result<tera::Tera> {
    let mut tera = tera::Tera::default();
    let dir = site_root.join("themes").join(theme).join("templates");
    let mut sources: BTreeMap<String, String> = TEMPLATES
        .iter()
        .map(|(name, text)| ((*name).to_string(), (*text).to_string()))
        .collect();
    sources.extend(site_templates(&dir)?);
    // Internal: its name cannot be a theme's (`site_templates` would have to find a file
    // named so, and this one replaces it).
    sources.insert(SEVERITY_ROWS_IN_RUST.into(), severity_rows_in_rust());
    tera.add_raw_templates(sources)
        .map_err(|e| anyhow::anyhow!("theme `{theme}`: {}", tera_chain(&e)))?;
    tera.autoescape_on(vec![".html"]);
    tera.set_escape_fn(escape_html);
    Ok(tera)
}

/// The default theme's template `name`, as embedded in the binary.
fn default_template(name: &str) -> Option<&'static str> {
    TEMPLATES.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

/// The default severity page with its row loop replaced by rows written in Rust
/// (`markup::severity_row`, in `rows_html`): used for themes that leave severity.html and
/// macros.html to the default, its frame (base.html) still the theme's. At 100k incidents the
/// template's loop over 100,000 rows was most of the severity pages' time.
pub const SEVERITY_ROWS_IN_RUST: &str = "pagerproof/severity-rows-in-rust.html";

/// The loop of severity.html that `markup::severity_row` writes, as it stands in the template.
const SEVERITY_ROW_LOOP: &str = "{% for r in rows %}<tr><td><a href=\"{{ root }}{{ r.href }}\">{{ r.number }}</a></td><td>{{ r.created }}</td><td>{{ r.service }}</td><td>{{ r.title }}</td><td>{{ r.tta }} {{ m::verdict(v=r.ack, root=root) }}</td><td>{{ r.ttr }} {{ m::verdict(v=r.resolve, root=root) }}</td><td>{{ r.postmortem_status }}</td></tr>{% endfor %}";

fn severity_rows_in_rust() -> String {
    let severity = default_template("severity.html").expect("severity.html is a default template");
    assert_eq!(
        severity.matches(SEVERITY_ROW_LOOP).count(),
        1,
        "severity.html's row loop is the one markup::severity_row writes"
    );
    severity.replacen(SEVERITY_ROW_LOOP, "{{ rows_html | safe }}", 1)
}

/// Whether the site's theme `theme` has its own template `name`, different from the default
/// theme's (a verbatim copy, such as this repository's own `themes/default/`, is not).
pub fn overrides(site_root: &Path, theme: &str, name: &str) -> bool {
    let path = site_root
        .join("themes")
        .join(theme)
        .join("templates")
        .join(name);
    if !path.is_file() {
        return false;
    }
    let default = default_template(name);
    std::fs::read_to_string(&path).map_or(true, |own| Some(own.as_str()) != default)
}

/// Every `*.html` file under `dir` (none when it does not exist), by its relative path.
fn site_templates(dir: &Path) -> Result<Vec<(String, String)>> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut found = Vec::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.with_context(|| format!("{}: cannot list", dir.display()))?;
        let path = entry.path();
        if !entry.file_type().is_file() || path.extension().is_none_or(|e| e != "html") {
            continue;
        }
        let rel = path.strip_prefix(dir).expect("walked under dir");
        let name = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("{}: cannot read", path.display()))?;
        found.push((name, text));
    }
    Ok(found)
}

/// HTML escaping for text and attribute values. Tera's default also escapes `/` as `&#x2F;`,
/// which is needless in HTML and makes every relative link unreadable in the page source.
pub fn escape_html(input: &str) -> String {
    let mut out = String::with_capacity(input.len() + input.len() / 8);
    push_escaped(&mut out, input, true);
    out
}

/// Appends `input` escaped exactly as [`escape_html`] (and so a template's `{{ }}`) escapes it:
/// for markup written in Rust that must match template output byte for byte.
pub fn push_escaped_html(out: &mut String, input: &str) {
    push_escaped(out, input, true);
}

/// Appends `text` escaped for a text node: only `&`, `<` and `>` mean anything there, so quotes
/// stay as they are (a JSON line full of `"` would double in size). Never for attribute values:
/// those go through [`escape_html`].
pub fn push_escaped_text(out: &mut String, text: &str) {
    push_escaped(out, text, false);
}

/// Copies the runs between special characters in bulk; every special character is ASCII, so
/// byte offsets are always char boundaries.
fn push_escaped(out: &mut String, input: &str, quotes: bool) {
    if !quotes {
        return push_escaped_text_node(out, input);
    }
    let mut from = 0;
    for (i, &b) in input.as_bytes().iter().enumerate() {
        let entity = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' if quotes => "&quot;",
            b'\'' if quotes => "&#x27;",
            _ => continue,
        };
        out.push_str(&input[from..i]);
        out.push_str(entity);
        from = i + 1;
    }
    out.push_str(&input[from..]);
}

/// [`push_escaped`] without quotes, its three characters found by `memchr3` (SIMD): line pages
/// put every input's bytes through here (400 MB at 100k incidents), where they are rare.
fn push_escaped_text_node(out: &mut String, input: &str) {
    let bytes = input.as_bytes();
    let mut from = 0;
    for i in memchr::memchr3_iter(b'&', b'<', b'>', bytes) {
        out.push_str(&input[from..i]);
        out.push_str(match bytes[i] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            _ => "&gt;",
        });
        from = i + 1;
    }
    out.push_str(&input[from..]);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A template counts as overridden only when the site's theme has it with other text: the
    /// markup written in Rust for the default's templates must not stand in for a theme's own.
    #[test]
    fn only_a_different_template_overrides_the_default() {
        let site = tempfile::tempdir().unwrap();
        let dir = site.path().join("themes/corp/templates");
        std::fs::create_dir_all(&dir).unwrap();
        let default = default_template("incident.html").unwrap();
        assert!(!overrides(site.path(), "corp", "incident.html"), "absent");
        std::fs::write(dir.join("incident.html"), default).unwrap();
        assert!(
            !overrides(site.path(), "corp", "incident.html"),
            "verbatim copy"
        );
        std::fs::write(dir.join("incident.html"), format!("{default} ")).unwrap();
        assert!(
            overrides(site.path(), "corp", "incident.html"),
            "one space more"
        );
        assert!(
            !overrides(site.path(), "other", "incident.html"),
            "another theme's"
        );
    }

    /// The char-by-char escaper this one replaced, kept as the oracle.
    fn escape_slowly(input: &str) -> String {
        input
            .chars()
            .map(|c| match c {
                '&' => "&amp;".to_string(),
                '<' => "&lt;".to_string(),
                '>' => "&gt;".to_string(),
                '"' => "&quot;".to_string(),
                '\'' => "&#x27;".to_string(),
                c => c.to_string(),
            })
            .collect()
    }

    #[test]
    fn escaping_copies_runs_and_keeps_every_entity() {
        for s in [
            "",
            "plain",
            "&",
            "<a href=\"x\">it's</a>",
            "é&ü<√>\"'ß",
            "trailing &amp",
            "{\"k\":\"v\"}",
        ] {
            assert_eq!(escape_html(s), escape_slowly(s), "{s}");
        }
    }

    #[test]
    fn text_nodes_keep_quotes_and_escape_markup() {
        let mut out = String::from("x");
        push_escaped_text(&mut out, r#"{"a":"<b>'&'</b>"}é"#);
        assert_eq!(out, r#"x{"a":"&lt;b&gt;'&amp;'&lt;/b&gt;"}é"#);
    }

    #[test]
    fn every_default_template_is_embedded() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates");
        let mut on_disk: Vec<String> = site_templates(&dir)
            .unwrap()
            .into_iter()
            .map(|(name, _)| name)
            .collect();
        let mut embedded: Vec<String> = TEMPLATES.iter().map(|(n, _)| n.to_string()).collect();
        on_disk.sort();
        embedded.sort();
        assert_eq!(embedded, on_disk);
    }

    #[test]
    fn a_site_theme_adds_partials_and_overrides_by_name() {
        let site = tempfile::tempdir().unwrap();
        let dir = site.path().join("themes/mine/templates/parts");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("note.html"), "note").unwrap();
        std::fs::write(dir.join("notes.txt"), "not a template").unwrap();
        std::fs::write(
            dir.join("../verify.html"),
            "{% include \"parts/note.html\" %}",
        )
        .unwrap();
        let tera = templates(site.path(), "mine").unwrap();
        let names: Vec<&str> = tera.get_template_names().collect();
        assert!(names.contains(&"parts/note.html"));
        assert!(!names.iter().any(|n| n.ends_with(".txt")));
        // The defaults, the theme's partial and the internal SEVERITY_ROWS_IN_RUST.
        assert_eq!(names.len(), TEMPLATES.len() + 2);
        assert!(names.contains(&SEVERITY_ROWS_IN_RUST));
        let out = tera.render("verify.html", &tera::Context::new()).unwrap();
        assert_eq!(out, "note");
    }
}
