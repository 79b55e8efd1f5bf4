//! `userstream`: parse the command line, then run the pipeline (console or headless) or a tool.

use std::process::ExitCode;

use userstream::exit;

/// The pipeline allocates and frees many small strings across threads (fetch on one, store on
/// another), where jemalloc spends a fraction of glibc malloc's time. Its options are built in
/// (`.cargo/config.toml`): freed pages go back to the system after 100 ms, by a background
/// thread, instead of the 10 s default; never as transparent huge pages (a 2 MiB page stays
/// resident while any of it is in use); and one arena, not four per core, since each arena
/// keeps partly used pages of its own and the pipeline's few threads rarely contend for one
/// (0.90 times the peak RSS over 10,000,000 users in two paired runs, at the same rate).
/// README.md, Performance, has what each one measured.
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> ExitCode {
    let cli = match userstream::cli::parse() {
        Ok(cli) => cli,
        Err(error) => {
            if let Some(clap_error) = error.downcast_ref::<clap::Error>() {
                // Help and version print on stdout and succeed; the rest is a usage error.
                let _ = clap_error.print();
                return exit::code(if clap_error.use_stderr() {
                    exit::USAGE
                } else {
                    exit::OK
                });
            }
            eprintln!("userstream: {error:#}");
            return exit::code(exit::of_parse_error(&error));
        }
    };
    let filter = match userstream::logs::filter(cli.run.log.as_deref()) {
        Ok(filter) => filter,
        Err(error) => {
            eprintln!("userstream: {error:#}");
            return exit::code(exit::USAGE);
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
        return exit::code(exit::FAILURE);
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
            return exit::code(exit::FAILURE);
        }
    };
    let result = runtime.block_on(userstream::runner::run(cli));
    // A storage call still blocked past the drain timeout must not hold the exit: what it was
    // doing was not committed, so it is processed again at the next start.
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    match result {
        Ok(()) => exit::code(exit::OK),
        Err(error) => {
            eprintln!("userstream: {error:#}");
            exit::code(exit::of_run_error(&error))
        }
    }
}
