//! The one way a command makes a progress bar, and the templates every long job shows.
//!
//! A bar draws on stderr only when stderr is a terminal, without `--quiet` and without
//! `--verbose` (whose phase log lines share stderr). Otherwise it is hidden: it still counts,
//! so code that advances it (render's page writers, on rayon threads) needs no second path.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::package::bagit::Oxum;

/// Work of unknown size: what is being done and for how long.
pub const SPINNER: &str = "{spinner} {msg} ({elapsed})";
/// `build` while rendering: files written of the files the site will have.
pub const FILES: &str =
    "{spinner} {msg:16} [{bar:30}] {human_pos}/{human_len} files ({elapsed}, eta {eta})";
/// `fetch` on a window whose total the API reported (`total=true`).
pub const RECORDS_OF: &str =
    "{spinner} {msg} [{bar:30}] {human_pos}/{human_len} records ({elapsed})";
/// `fetch` on a window with no reported total (cursor and page-numbered lists).
pub const RECORDS: &str = "{spinner} {msg} {human_pos} records ({elapsed})";
/// `package` and `verify`: bytes of a known total, files in the message.
pub const BYTES: &str = "{spinner} [{bar:30}] {bytes}/{total_bytes} {msg} ({elapsed}, eta {eta})";

/// Whether a bar is drawn.
pub fn shown(quiet: bool, verbose: bool, terminal: bool) -> bool {
    !quiet && !verbose && terminal
}

/// A bar with `template`, drawn on stderr when [`shown`], hidden otherwise.
pub fn bar(quiet: bool, template: &str) -> ProgressBar {
    let verbose = tracing::enabled!(tracing::Level::INFO);
    make(
        shown(quiet, verbose, std::io::stderr().is_terminal()),
        template,
    )
}

fn make(shown: bool, template: &str) -> ProgressBar {
    if !shown {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    bar.set_style(style(template));
    // Keeps the spinner and elapsed time moving through long steps that advance nothing.
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// Shows `done` of `total` (a bag's bytes and files, as `package` writes it or `verify` reads
/// it) on `bar`, switching it to [`BYTES`] once the total is known: `N/M files <what>`.
pub fn bag_bytes(bar: &ProgressBar, done: Oxum, total: Oxum, what: &str) {
    if bar.length() != Some(total.bytes) {
        bar.set_style(style(BYTES));
    }
    bar.set_message(format!("{}/{} files {what}", done.files, total.files));
    bar.update(|s| {
        s.set_len(total.bytes);
        s.set_pos(done.bytes);
    });
}

/// The style of `template` (one of the constants above, checked by the tests).
pub fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template).expect("static template")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bar_is_drawn_only_on_a_terminal_without_quiet_or_verbose() {
        assert!(shown(false, false, true));
        assert!(!shown(true, false, true), "--quiet");
        assert!(!shown(false, true, true), "--verbose");
        assert!(!shown(false, false, false), "stderr not a terminal");
        assert!(bar(true, SPINNER).is_hidden());
        assert!(make(false, FILES).is_hidden());
    }

    #[test]
    fn a_hidden_bar_still_counts() {
        let bar = make(false, FILES);
        bar.set_length(10);
        bar.inc(3);
        assert_eq!((bar.position(), bar.length()), (3, Some(10)));
    }

    #[test]
    fn a_bag_bar_counts_bytes_of_the_total_and_files_in_its_message() {
        let bar = make(false, SPINNER);
        let total = Oxum {
            bytes: 1000,
            files: 4,
        };
        bag_bytes(
            &bar,
            Oxum {
                bytes: 250,
                files: 1,
            },
            total,
            "checked",
        );
        assert_eq!((bar.position(), bar.length()), (250, Some(1000)));
        assert_eq!(bar.message(), "1/4 files checked");
    }

    #[test]
    fn every_template_parses() {
        for t in [SPINNER, FILES, RECORDS_OF, RECORDS, BYTES] {
            assert!(ProgressStyle::with_template(t).is_ok(), "{t}");
        }
    }
}
