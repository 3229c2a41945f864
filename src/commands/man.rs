//! `pagerproof man [--out DIR]`: the man page, generated from the clap definitions so it never
//! drifts from `--help`.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::CommandFactory;
use clap_mangen::Man;
use clap_mangen::roff::{Roff, roman};

use crate::cli::{Cli, EXIT_CODES, ManArgs};

pub fn run(args: &ManArgs) -> Result<ExitCode> {
    match &args.out {
        None => {
            let mut page = Vec::new();
            render_main(&mut page)?;
            std::io::stdout()
                .lock()
                .write_all(&page)
                .context("cannot write the man page to stdout")?;
        }
        Some(dir) => {
            write_all(dir)
                .with_context(|| format!("{}: cannot write the man pages", dir.display()))?;
            println!(
                "wrote the man pages into {}; install them with: cp {}/*.1 ~/.local/share/man/man1/",
                dir.display(),
                dir.display()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `help` is clap's, not ours: it has no page and is not listed.
fn command() -> clap::Command {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    cmd
}

/// pagerproof(1): clap_mangen's sections, with the exit codes as a proper EXIT STATUS section
/// instead of `--help`'s preformatted text.
fn render_main(w: &mut dyn Write) -> std::io::Result<()> {
    let man = Man::new(command());
    man.render_title(w)?;
    man.render_name_section(w)?;
    man.render_synopsis_section(w)?;
    man.render_description_section(w)?;
    man.render_options_section(w)?;
    man.render_subcommands_section(w)?;
    let mut roff = Roff::default();
    roff.control("SH", ["EXIT STATUS"]);
    for line in EXIT_CODES.lines().skip(1) {
        if let Some((code, meaning)) = line.trim().split_once(' ') {
            roff.control("TP", [])
                .text([roman(code)])
                .text([roman(meaning.trim())]);
        }
    }
    roff.to_writer(w)?;
    man.render_version_section(w)
}

/// pagerproof.1 and pagerproof-<subcommand>.1 for every subcommand, nested ones included.
fn write_all(dir: &Path) -> std::io::Result<()> {
    fn subpages(cmd: &clap::Command, dir: &Path) -> std::io::Result<()> {
        for sub in cmd.get_subcommands() {
            subpages(sub, dir)?;
            Man::new(sub.clone())
                .source(format!("pagerproof {}", env!("PAGERPROOF_VERSION")))
                .generate_to(dir)?;
        }
        Ok(())
    }
    std::fs::create_dir_all(dir)?;
    let cmd = command();
    subpages(&cmd, dir)?;
    let mut file = std::fs::File::create(dir.join("pagerproof.1"))?;
    render_main(&mut file)?;
    file.flush()
}
