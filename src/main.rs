use std::process::ExitCode;

fn main() -> ExitCode {
    ExitCode::from(relcheck::main())
}
