//! busybox's timeout on the simulated clock: the command runs; when it
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
    let reg = sh.registry();
    let found = sh.find_in_path(cmd).is_some()
        || (cmd.contains('/') && sh.fs().stat(&sh.abs(cmd)).is_ok())
        || (sh.busybox_shell() && reg.is_busybox_applet(cmd));
    if !found {
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
