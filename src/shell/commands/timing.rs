//! time and timeout, which run a command on the simulated clock.
//!
//! busybox's timeout: the command runs; when it
//! took longer than allowed, it counts as killed then — status 128+SIG and
//! the shell's word for the signal (`Terminated`). What the command did
//! before it would have been killed and after stays done, and its output
//! is kept whole: layerlab runs a command to its end before looking at
//! the clock.

use std::sync::Arc;

use super::{Io, Registry};
use crate::shell::interp::Shell;
use crate::shell::signals::{death_notice, signal_number};

pub(super) fn register(r: &mut Registry) {
    r.register("timeout", true, Arc::new(timeout));
    r.register("time", true, Arc::new(time));
}

/// Whether `cmd` names a program busybox could execute.
fn executable(sh: &Shell, cmd: &str) -> bool {
    sh.find_in_path(cmd).is_some()
        || (cmd.contains('/') && sh.fs().stat(&sh.abs(cmd)).is_ok())
        || (sh.busybox_shell() && sh.registry().is_busybox_applet(cmd))
}

const TIME_USAGE: &str = "BusyBox v1.35.0 (Debian 1:1.35.0-4+deb12u1+b1) multi-call binary.

Usage: time [-vpa] [-o FILE] PROG ARGS

Run PROG, display resource usage when it exits

\t-v\tVerbose
\t-p\tPOSIX output format
\t-f FMT\tCustom format
\t-o FILE\tWrite result to FILE
\t-a\tAppend (else overwrite)
";

/// Runs the command and reports on stderr the simulated seconds it took
/// (layerlab spends no CPU time in a command: user and sys are 0).
fn time(sh: &mut Shell, argv: &[String], io: &mut Io) -> i32 {
    let mut posix = false;
    let mut i = 1;
    while let Some(a) = argv.get(i).filter(|a| a.starts_with('-')) {
        match a.as_str() {
            "-p" => posix = true,
            "--" => {
                i += 1;
                break;
            }
            _ => {
                io.eprint(&format!("layerlab: time {a} is not simulated\n"));
                return 1;
            }
        }
        i += 1;
    }
    let Some(cmd) = argv.get(i) else {
        io.eprint(TIME_USAGE);
        return 1;
    };
    let before = sh.now();
    let status = if executable(sh, cmd) {
        let stdin = io.stdin().to_vec();
        match sh.run_captured(&argv[i..], &[], &stdin) {
            Ok((status, out, err)) => {
                io.out.extend_from_slice(&out);
                io.err.extend_from_slice(&err);
                status
            }
            Err(_) => return 2,
        }
    } else {
        io.error(
            "time",
            &format!("can't execute '{cmd}': No such file or directory"),
        );
        127
    };
    let took = sh.now().saturating_sub(before).max(0);
    if status != 0 {
        io.eprint(&format!("Command exited with non-zero status {status}\n"));
    }
    if posix {
        io.eprint(&format!("real {took}.00\nuser 0.00\nsys 0.00\n"));
    } else {
        io.eprint(&format!(
            "real\t{}m {}.00s\nuser\t0m 0.00s\nsys\t0m 0.00s\n",
            took / 60,
            took % 60
        ));
    }
    status
}

const USAGE: &str = "BusyBox v1.35.0 (Debian 1:1.35.0-4+deb12u1+b1) multi-call binary.

Usage: timeout [-s SIG] [-k KILL_SECS] SECS PROG ARGS

Run PROG. Send SIG to it if it is not gone in SECS seconds.
Default SIG: TERM.If it still exists in KILL_SECS seconds, send KILL.

";

/// Seconds with busybox's duration suffixes (s, m, h, d).
fn duration(s: &str) -> Option<f64> {
    let (num, mult) = match s.chars().last()? {
        's' => (&s[..s.len() - 1], 1.0),
        'm' => (&s[..s.len() - 1], 60.0),
        'h' => (&s[..s.len() - 1], 3600.0),
        'd' => (&s[..s.len() - 1], 86400.0),
        _ => (s, 1.0),
    };
    num.parse::<f64>()
        .ok()
        .filter(|v| *v >= 0.0)
        .map(|v| v * mult)
}

fn timeout(sh: &mut Shell, argv: &[String], io: &mut Io) -> i32 {
    let mut signal = 15;
    let mut i = 1;
    while let Some(a) = argv.get(i).filter(|a| a.starts_with('-') && a.len() > 1) {
        let (flag, inline) = a.split_at(2);
        let value = if inline.is_empty() {
            i += 1;
            argv.get(i).cloned()
        } else {
            Some(inline.to_owned())
        };
        match (flag, value) {
            ("-s", Some(v)) => match signal_number(&v) {
                Some(n) => signal = n,
                None => {
                    io.error("timeout", &format!("unknown signal '{v}'"));
                    return 1;
                }
            },
            ("-k", Some(_)) => {}
            _ => {
                io.eprint(USAGE);
                return 1;
            }
        }
        i += 1;
    }
    let (Some(secs), Some(cmd)) = (argv.get(i).and_then(|s| duration(s)), argv.get(i + 1)) else {
        io.eprint(USAGE);
        return 1;
    };
    if !executable(sh, cmd) {
        io.error(
            "timeout",
            &format!("can't execute '{cmd}': No such file or directory"),
        );
        return 127;
    }
    let stdin = io.stdin().to_vec();
    let before = sh.now();
    let ran = sh.run_captured(&argv[i + 1..], &[], &stdin);
    let took = sh.now().saturating_sub(before) as f64;
    let (status, out, err) = match ran {
        Ok(r) => r,
        Err(_) => return 2,
    };
    io.out.extend_from_slice(&out);
    io.err.extend_from_slice(&err);
    // busybox's watcher counts whole seconds (1.5 is 1) and kills the
    // command once that many have passed, so a command that takes exactly
    // that long is killed too.
    let secs = secs.trunc();
    if secs > 0.0 && took >= secs {
        if let Some(notice) = death_notice(signal) {
            io.eprint(&format!("{notice}\n"));
        }
        return 128 + signal;
    }
    status
}
