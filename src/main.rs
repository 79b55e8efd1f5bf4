//! `userstream`: parse the command line, then run the pipeline (console or headless) or a tool.

use std::process::ExitCode;

/// The pipeline allocates and frees many small strings across threads (fetch on one, store on
/// another), where mimalloc spends a fraction of glibc malloc's time.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = match userstream::cli::parse() {
        Ok(cli) => cli,
        Err(error) => {
            if let Some(clap_error) = error.downcast_ref::<clap::Error>() {
                clap_error.exit();
            }
            eprintln!("userstream: {error:#}");
            return ExitCode::from(2);
        }
    };
    let filter = match userstream::logs::filter(cli.run.log.as_deref()) {
        Ok(filter) => filter,
        Err(error) => {
            eprintln!("userstream: {error:#}");
            return ExitCode::from(2);
        }
    };
    let logging = if cli.command.is_none() && userstream::console::wanted(&cli.run) {
        // The console owns the terminal: logs go to its Logs tab instead of stderr.
        userstream::console::logging::init(filter)
    } else {
        userstream::logs::init_stderr(filter, cli.run.log_format)
    };
    if let Err(error) = logging {
        eprintln!("userstream: {error:#}");
        return ExitCode::FAILURE;
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        // Storage calls are serial per stage; a small pool keeps per-thread allocator caches few.
        .max_blocking_threads(8)
        .build()
    {
        Ok(rt) => rt,
        Err(error) => {
            eprintln!("userstream: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(userstream::runner::run(cli));
    // A storage call still blocked past the drain timeout must not hold the exit: what it was
    // doing was not committed, so it is processed again at the next start.
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("userstream: {error:#}");
            if error
                .downcast_ref::<userstream::datadir::Locked>()
                .is_some()
            {
                return ExitCode::from(userstream::datadir::Locked::EXIT);
            }
            ExitCode::FAILURE
        }
    }
}
