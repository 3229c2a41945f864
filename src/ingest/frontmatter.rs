//! Markdown documents with TOML front matter between `+++` lines (as in Zola).

use anyhow::{Result, bail};

/// A document split into its front matter and body.
pub struct Document<'a> {
    pub front: &'a str,
    /// 1-based line of the first front-matter line (for error positions).
    pub front_line: usize,
    pub body: &'a str,
    /// 1-based line where the body starts.
    pub body_line: usize,
}

/// Splits `+++\n<toml>\n+++\n<body>`; `name` is used in errors.
pub fn split<'a>(name: &str, text: &'a str) -> Result<Document<'a>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.split_inclusive('\n');
    let first = lines.next().unwrap_or("");
    if first.trim_end() != "+++" {
        bail!("{name}:1: front matter must start with a `+++` line");
    }
    let start = first.len();
    let mut offset = start;
    let mut line_no = 1;
    for line in lines {
        line_no += 1;
        if line.trim_end() == "+++" {
            return Ok(Document {
                front: &text[start..offset],
                front_line: 2,
                body: &text[offset + line.len()..],
                body_line: line_no + 1,
            });
        }
        offset += line.len();
    }
    bail!("{name}:1: front matter opened with `+++` is never closed")
}

/// Parses the front matter as TOML into `T`, mapping errors to `file:line: message`.
pub fn parse<T: serde::de::DeserializeOwned>(name: &str, doc: &Document) -> Result<T> {
    toml::from_str(doc.front).map_err(|e| {
        let line = e.span().map(|s| {
            doc.front[..s.start.min(doc.front.len())]
                .matches('\n')
                .count()
                + doc.front_line
        });
        match line {
            Some(line) => anyhow::anyhow!("{name}:{line}: {}", e.message().trim()),
            None => anyhow::anyhow!("{name}: {}", e.message().trim()),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_front_matter_and_body() {
        let doc = split("p.md", "+++\ntitle = \"x\"\n+++\n# Body\n").unwrap();
        assert_eq!(doc.front, "title = \"x\"\n");
        assert_eq!(doc.body, "# Body\n");
        assert_eq!(doc.body_line, 4);
    }

    #[test]
    fn unclosed_front_matter_is_an_error() {
        let err = split("p.md", "+++\ntitle = 1\n").err().unwrap().to_string();
        assert!(err.contains("p.md:1"), "{err}");
    }

    #[test]
    fn toml_error_names_the_file_line() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct T {
            title: String,
        }
        let doc = split("p.md", "+++\n\ntitle = = 1\n+++\n").unwrap();
        let err = parse::<T>("p.md", &doc).unwrap_err().to_string();
        assert!(err.starts_with("p.md:3:"), "{err}");
    }
}
