//! `pagerproof serve`: build, then serve the output on 127.0.0.1 for preview.

use std::path::{Component, Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Result, anyhow, bail};

use crate::cli::ServeArgs;
use crate::config::Config;

pub fn run(args: &ServeArgs) -> Result<ExitCode> {
    let out = match &args.archive {
        Some(dir) if dir.join("index.html").is_file() => dir.clone(),
        Some(dir) => bail!(
            "{}: no index.html: make the archive with `pagerproof archive --out DIR ZIP...`",
            dir.display()
        ),
        None => {
            let config = Config::load(&args.site.site)?;
            let out = config.out_dir();
            println!(
                "{}",
                super::build::build_site(&config, &out, false, None)?.summary
            );
            out
        }
    };
    let server = tiny_http::Server::http(("127.0.0.1", args.port))
        .map_err(|e| anyhow!("cannot listen on 127.0.0.1:{}: {e}", args.port))?;
    let addr = server
        .server_addr()
        .to_ip()
        .map(|a| a.to_string())
        .unwrap_or_default();
    println!(
        "serving {} at http://{addr}/ (Ctrl-C to stop)",
        out.display()
    );
    for request in server.incoming_requests() {
        let response = respond(&out, request.url());
        let _ = request.respond(response);
    }
    Ok(ExitCode::SUCCESS)
}

/// The response for a URL path: a file under `root`, `index.html` for directories, or 404.
/// Only plain path segments are allowed, after percent-decoding, so `..` can never escape.
pub fn respond(root: &Path, url: &str) -> tiny_http::Response<std::io::Cursor<Vec<u8>>> {
    match resolve(root, url).and_then(|p| std::fs::read(&p).ok().map(|b| (p, b))) {
        Some((path, bytes)) => {
            let header = tiny_http::Header::from_bytes("Content-Type", content_type(&path))
                .expect("static header");
            // The headers a static host should send too (README, "Hosting").
            let nosniff = tiny_http::Header::from_bytes("X-Content-Type-Options", "nosniff")
                .expect("static header");
            tiny_http::Response::from_data(bytes)
                .with_header(header)
                .with_header(nosniff)
        }
        None => tiny_http::Response::from_string("not found").with_status_code(404),
    }
}

fn resolve(root: &Path, url: &str) -> Option<PathBuf> {
    let path = url.split(['?', '#']).next()?;
    let decoded = percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .ok()?;
    let mut out = root.to_path_buf();
    for c in Path::new(decoded.trim_start_matches('/')).components() {
        match c {
            Component::Normal(seg) => out.push(seg),
            Component::CurDir => {}
            _ => return None,
        }
    }
    if out.is_dir() {
        out.push("index.html");
    }
    out.is_file().then_some(out)
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "svg" => "image/svg+xml",
        "json" => "application/json",
        "csv" => "text/csv; charset=utf-8",
        "md" | "txt" | "sha256" | "minisig" => "text/plain; charset=utf-8",
        "zip" => "application/zip",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traversal_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("index.html"), "x").unwrap();
        assert!(resolve(dir.path(), "/").is_some());
        assert!(resolve(dir.path(), "/index.html?x=1").is_some());
        assert!(resolve(dir.path(), "/../etc/passwd").is_none());
        assert!(resolve(dir.path(), "/%2e%2e/etc/passwd").is_none());
        assert!(resolve(dir.path(), "/missing.html").is_none());
    }
}
