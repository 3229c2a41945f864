//! The two deflaters the package uses (and zlib-rs at level 1, for comparison), on a built
//! site's pages: `cargo bench --bench deflate --
//! <site>/public` (a site built from `examples/generate`, see `benches/compare.sh`). Prints each
//! deflater's rate and how much of the input its output is, for up to 5,000 incident pages and
//! for the line pages of the inputs, each entry deflated on its own as the package does.
//! Measured here 2026-12-06 on a 100k site: zlib-rs level 2 173 MB/s (output 30.5 % of input)
//! on incident pages, libdeflate level 1 381 MB/s (29.8 %); on line pages 520 MB/s (12.6 %)
//! and 642 MB/s (12.5 %). Another run, 20:05 UTC, in a slower spell of this machine: zlib-rs
//! level 1 248 MB/s (37.6 %), level 2 120 MB/s, libdeflate level 1 281 MB/s on incident pages;
//! on line pages 625 (15.7 %), 368 and 488 MB/s.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

fn main() {
    let Some(site) = std::env::args().skip(1).find(|a| !a.starts_with('-')) else {
        // `cargo bench` with no site (as `cargo bench` runs every bench): nothing to measure.
        eprintln!("usage: cargo bench --bench deflate -- <built site directory>");
        return;
    };
    let site = Path::new(&site);
    let incidents = files(&site.join("incidents"), |n| n.ends_with(".html"), 5000);
    let lines = files(
        &site.join("sources/content/pagerduty"),
        |n| n.contains(".page-"),
        200,
    );
    for (what, paths) in [("incident pages", incidents), ("line pages", lines)] {
        let pages: Vec<Vec<u8>> = paths.iter().map(|p| std::fs::read(p).unwrap()).collect();
        let total: usize = pages.iter().map(Vec::len).sum();
        println!("{what}: {} files, {total} bytes", pages.len());
        for (name, level) in [("  zlib-rs level 1   ", 1), ("  zlib-rs level 2   ", 2)] {
            measure(name, &pages, total, |page| {
                let level = flate2::Compression::new(level);
                let mut e = flate2::write::DeflateEncoder::new(Vec::new(), level);
                e.write_all(page).unwrap();
                e.finish().unwrap().len()
            });
        }
        let level = libdeflater::CompressionLvl::new(1).unwrap();
        let mut compressor = libdeflater::Compressor::new(level);
        let mut out = Vec::new();
        measure("  libdeflate level 1", &pages, total, |page| {
            out.resize(compressor.deflate_compress_bound(page.len()), 0);
            compressor.deflate_compress(page, &mut out).unwrap()
        });
    }
}

/// Up to `max` files of `dir` whose names pass `keep`, in name order.
fn files(dir: &Path, keep: impl Fn(&str) -> bool, max: usize) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        panic!("{}: not a built site's directory", dir.display());
    };
    let mut paths: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(&keep))
        .collect();
    paths.sort();
    paths.truncate(max);
    paths
}

fn measure(name: &str, pages: &[Vec<u8>], total: usize, mut deflate: impl FnMut(&[u8]) -> usize) {
    let start = Instant::now();
    let out: usize = pages.iter().map(|p| deflate(p)).sum();
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{name}: {:6.0} MB/s, output {:.1} % of input",
        total as f64 / secs / 1e6,
        100.0 * out as f64 / total as f64
    );
}
