//! Input file names the package can carry (a leaf module: every reader of files uses it).

use anyhow::{Result, bail};

/// A file name the bag (and `verify`) cannot carry is refused, naming the file: a backslash
/// is a separator to some unzip tools, control characters break manifest lines.
pub fn check_file_name(rel: &str) -> Result<()> {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    if name.contains('\\') {
        bail!(
            "{rel}: the file name contains a backslash, which BagIt tools read as a folder; rename the file"
        );
    }
    if name.contains(char::is_control) {
        bail!(
            "{rel}: the file name contains a control character (line feed, tab, ...); rename the file"
        );
    }
    Ok(())
}
