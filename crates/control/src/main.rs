//! `showdesk`: the control room without a window.

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::main()
}
