use std::process::ExitCode;

use clap::Parser;

/// mimalloc rather than the system allocator: the build makes millions of small allocations
/// from several threads (log entries, page contexts), where glibc's per-thread arenas both
/// slow down and hold on to freed memory (issue 12: about a third of build time went to
/// malloc/free, measured with `perf`). Freed pages are returned after mimalloc 3's default
/// second (`purge_delay`): 10 ms, used while a 100k build peaked near 512 MiB, cost about 4 % of
/// `build` in system time (the kernel zeroing pages handed back and taken again) for 20 MiB less
/// at the peak (285 against 305 MiB once texts were interned).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
