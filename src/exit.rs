//! Exit codes (README "Exit codes") and how an error reaching `main` chooses one.
//!
//! Scripts tell "the evidence has problems" (1) from "the tool could not read what it was given"
//! (3: fix a file; 4: fix the file system) without parsing messages.

use std::fmt;

/// `check` found errors (or warnings with `--strict`), `verify` found a problem, or a command
/// failed for a reason that is neither an input nor an I/O error (e.g. an HTTP error in `fetch`).
pub const FAILURE: u8 = 1;
/// The command line itself is wrong; clap exits with 2 on its own.
pub const USAGE: u8 = 2;
/// A site's configuration or inputs are malformed; the message names the file and line.
pub const INPUT: u8 = 3;
/// A file or directory could not be read or written (missing, permissions, disk full).
pub const IO: u8 = 4;

/// An error whose exit code was decided where the kind of failure is known; `main` finds it
/// with a downcast. It prints the whole chain of the error it wraps.
#[derive(Debug)]
pub struct Coded {
    pub code: u8,
    /// What to do next, when the place that knows the failure can say it better than the
    /// general hint for its code.
    pub hint: Option<&'static str>,
    error: anyhow::Error,
}

impl fmt::Display for Coded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:#}", self.error)
    }
}

impl std::error::Error for Coded {}

/// Marks a failure to read a site's configuration or inputs: an I/O error when the file system
/// failed, otherwise an input error the user fixes in the named file.
pub fn input_or_io(error: anyhow::Error) -> anyhow::Error {
    with_hint(error, None)
}

/// [`input_or_io`] with a hint of its own. An error already coded keeps its code and hint.
pub fn with_hint(error: anyhow::Error, hint: Option<&'static str>) -> anyhow::Error {
    if error.chain().any(|e| e.is::<Coded>()) {
        return error;
    }
    let code = if io_failure(&error) { IO } else { INPUT };
    anyhow::Error::new(Coded { code, hint, error })
}

/// The exit code for an error that ends the program, and what to do next when known.
pub fn code_and_hint(error: &anyhow::Error) -> (u8, Option<&'static str>) {
    if let Some(coded) = error.chain().find_map(|e| e.downcast_ref::<Coded>()) {
        let hint = coded.hint.or(match coded.code {
            INPUT => {
                Some("fix the file at the line named above; `pagerproof check` lists every problem")
            }
            _ => None,
        });
        (coded.code, hint)
    } else if io_failure(error) {
        (IO, None)
    } else {
        (FAILURE, None)
    }
}

/// The exit code alone.
pub fn code(error: &anyhow::Error) -> u8 {
    code_and_hint(error).0
}

/// An `std::io::Error` anywhere in the chain, other than bytes that are not valid text (that is
/// the file's content, an input error).
fn io_failure(error: &anyhow::Error) -> bool {
    error
        .chain()
        .filter_map(|e| e.downcast_ref::<std::io::Error>())
        .any(|e| e.kind() != std::io::ErrorKind::InvalidData)
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context;

    #[test]
    fn input_and_io_errors_are_told_apart() {
        let missing = std::fs::read("/nonexistent/site.toml")
            .context("site.toml: cannot read")
            .unwrap_err();
        assert_eq!(code(&input_or_io(missing)), IO);
        let malformed = anyhow::anyhow!("site.toml:3: unknown key `nmae`");
        let marked = input_or_io(malformed).context("while building");
        assert_eq!(code(&marked), INPUT);
        assert!(format!("{marked:#}").ends_with("site.toml:3: unknown key `nmae`"));
        let not_text = std::io::Error::new(std::io::ErrorKind::InvalidData, "not UTF-8");
        assert_eq!(code(&input_or_io(not_text.into())), INPUT);
        assert_eq!(code(&anyhow::anyhow!("HTTP 500")), FAILURE);
    }
}
