use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // Like other Unix tools, stop quietly when the reader of our output goes away
    // (`pagerproof check | head`) instead of panicking on a broken pipe.
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of SIGPIPE before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    // Usage errors exit with 2 (clap's own `exit`), before any command runs.
    let cli = pagerproof::cli::Cli::parse();
    pagerproof::commands::init_logging(cli.verbose, &cli.command);
    match pagerproof::commands::run(cli.command) {
        Ok(code) => code,
        Err(err) => {
            let (code, hint) = pagerproof::exit::code_and_hint(&err);
            eprintln!("error: {err:#}");
            if let Some(hint) = hint {
                eprintln!("hint: {hint}");
            }
            ExitCode::from(code)
        }
    }
}
