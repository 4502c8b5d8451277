//! `casework completions SHELL`

use super::{Cli, Exit, OK};
use clap::CommandFactory;

/// Print a shell completion script, e.g. `casework completions bash > /etc/bash_completion.d/casework`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

pub fn run(args: Args) -> Result<u8, Exit> {
    let mut cmd = Cli::command();
    // clap_complete panics when its writer fails (`| head -1` closes the
    // pipe): generate into memory, then write as every command does.
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "casework", &mut script);
    super::emit(&String::from_utf8_lossy(&script));
    Ok(OK)
}
