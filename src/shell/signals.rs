//! Linux's signals as the shell knows them: numbers, names, what `kill`
//! sends, which ones end a shell, and what the waiting shell prints.

/// SIGTERM, what `kill` sends when told no signal.
pub(crate) const SIGTERM: i32 = 15;

/// Linux's signal numbers on x86-64 and arm64, as `kill -l` lists them,
/// with the words a shell prints when one ends its child (glibc's
/// `strsignal`, which busybox's ash uses).
pub(crate) const SIGNALS: &[(i32, &str, &str)] = &[
    (1, "HUP", "Hangup"),
    (2, "INT", "Interrupt"),
    (3, "QUIT", "Quit"),
    (4, "ILL", "Illegal instruction"),
    (5, "TRAP", "Trace/breakpoint trap"),
    (6, "ABRT", "Aborted"),
    (7, "BUS", "Bus error"),
    (8, "FPE", "Floating point exception"),
    (9, "KILL", "Killed"),
    (10, "USR1", "User defined signal 1"),
    (11, "SEGV", "Segmentation fault"),
    (12, "USR2", "User defined signal 2"),
    (13, "PIPE", "Broken pipe"),
    (14, "ALRM", "Alarm clock"),
    (15, "TERM", "Terminated"),
    (16, "STKFLT", "Stack fault"),
    (17, "CHLD", "Child exited"),
    (18, "CONT", "Continued"),
    (19, "STOP", "Stopped (signal)"),
    (20, "TSTP", "Stopped"),
    (21, "TTIN", "Stopped (tty input)"),
    (22, "TTOU", "Stopped (tty output)"),
    (23, "URG", "Urgent I/O condition"),
    (24, "XCPU", "CPU time limit exceeded"),
    (25, "XFSZ", "File size limit exceeded"),
    (26, "VTALRM", "Virtual timer expired"),
    (27, "PROF", "Profiling timer expired"),
    (28, "WINCH", "Window changed"),
    (29, "IO", "I/O possible"),
    (30, "PWR", "Power failure"),
    (31, "SYS", "Bad system call"),
];

/// `9`, `KILL`, `SIGKILL` (any case) → 9; 0 is the "does it exist" probe.
pub(crate) fn signal_number(spec: &str) -> Option<i32> {
    if let Ok(n) = spec.parse::<i32>() {
        return (0..=31).contains(&n).then_some(n);
    }
    let upper = spec.to_ascii_uppercase();
    let name = upper.strip_prefix("SIG").unwrap_or(&upper);
    SIGNALS
        .iter()
        .find(|(_, n, _)| *n == name)
        .map(|(n, _, _)| *n)
}

/// What a shell prints when `signal` ends the command it waits for:
/// nothing for SIGINT and SIGPIPE (the learner pressed ^C, or a reader
/// left a pipe), the signal's words otherwise.
pub(crate) fn death_notice(signal: i32) -> Option<&'static str> {
    if matches!(signal, 2 | 13) {
        return None;
    }
    SIGNALS
        .iter()
        .find(|(n, _, _)| *n == signal)
        .map(|(_, _, d)| *d)
}

/// Whether the signal ends a shell (not: its default is to ignore it —
/// CHLD, CONT, URG, WINCH — or to stop it — STOP, TSTP, TTIN, TTOU — or the
/// probe 0; nor QUIT, which ash ignores even when not interactive).
pub(crate) fn terminates(signal: i32) -> bool {
    !matches!(signal, 0 | 3 | 17..=23 | 28)
}
