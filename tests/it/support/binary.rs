//! The layerlab binary as the CLI tests run it: in English whatever the machine's locale,
//! since layerlab's own CLI output follows `LC_ALL`, `LC_MESSAGES` and `LANG` when `--lang`
//! is not given. A test of another language passes `--lang`.

use std::process::Command;

pub fn layerlab() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_layerlab"));
    cmd.env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "C.UTF-8");
    cmd
}
