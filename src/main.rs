use std::process::ExitCode;

fn main() -> ExitCode {
    ExitCode::from(relcheck::main())
}

/// jemalloc, set up in .cargo/config.toml: see Cargo.toml.
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;
