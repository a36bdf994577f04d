//! The minerscan binary. Everything it does is `minerscan::run` (`cli/commands.rs`): parse
//! flags, build the scan, run it, and map the outcome to an exit code. 0: nothing reached
//! --fail-on; 1: something did; 2: usage or fatal error, or any reported problem with
//! --strict; 130: interrupted.

fn main() -> std::process::ExitCode {
    minerscan::run()
}
