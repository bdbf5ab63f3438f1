//! Linux's signals as the shell names them: numbers, `kill -l` names, and
//! the words a waiting shell prints when one ends its child. Its own
//! module, as both the builtins (`kill`, `trap`) and the commands that wait
//! for a child read it.

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
