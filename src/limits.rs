//! The bounds on what one input may cost, in one place.
//!
//! layerlab runs whatever a learner (or a file they were sent) writes: every
//! cost that grows with the input has a bound here, and passing it gives a
//! clear error that names the bound instead of an abort, a hang or gigabytes
//! of memory. Real Docker has few such bounds (Go's stacks grow; BuildKit
//! keeps going until the machine gives up); each value says why it is set
//! where it is — far above anything a real Dockerfile needs, far below what
//! would hurt.

/// Nested `${NAME:-${NAME:-…}}` levels in one Dockerfile word. The expander
/// recurses once per level (about 2 KiB of stack each in a debug build: a
/// main thread's 8 MiB overflowed between 3,000 and 5,000 levels, and a
/// spawned thread has 2 MiB). Real Dockerfiles nest two or three levels;
/// 128 leaves the stack nine tenths free on any thread.
pub const EXPANSION_DEPTH: usize = 128;

/// Bytes one expanded word — and so one ARG, ENV or LABEL value — may hold.
/// Linux refuses a single environment string longer than MAX_ARG_STRLEN
/// (128 KiB) in `execve`, so no process in the image could receive a value
/// this long anyway; 1 MiB keeps every real value and stops `ARG A=$A$A`
/// doubling its way to gigabytes after twenty lines.
pub const VALUE_BYTES: usize = 1 << 20;

/// Linux's PATH_MAX: the longest path, terminating NUL included, a system
/// call accepts; longer ones fail with ENAMETOOLONG ("File name too long").
pub const PATH_MAX: usize = 4096;

/// Linux's NAME_MAX: the longest single file name component.
pub const NAME_MAX: usize = 255;

/// Names a build check compares a misspelt variable with to suggest one
/// ("did you mean $VERSION?"). BuildKit compares every name in scope; each
/// comparison is an edit distance, so a file with thousands of variables
/// and thousands of misspellings would cost their product. Real stages
/// have tens of variables; past this many, only the first are compared.
pub const SUGGESTION_CANDIDATES: usize = 256;

/// Bytes of a step's output kept in the report — BuildKit's default
/// `BUILDKIT_STEP_LOG_MAX_SIZE` (2 MiB); past it the rest is dropped with
/// BuildKit's own note, [`OUTPUT_CLIPPED`].
pub const STEP_OUTPUT_BYTES: usize = 2 << 20;

/// The line BuildKit prints where it stops keeping a step's log.
pub const OUTPUT_CLIPPED: &str = "[output clipped, log limit 2MiB reached]\n";

/// Bytes of a context file the screen's editor opens. The editor holds the
/// text as lines and redraws the lines in view on every key; 1 MiB is some
/// 20,000 lines of source — more than anyone edits by hand in a lesson —
/// and keeps each key's work (a line split, a join) far below a frame.
pub const EDIT_BYTES: u64 = 1 << 20;

/// The longest line a shell with a terminal attached takes (`run -it`):
/// Linux's line discipline holds 4,096 bytes of a line being typed.
pub const MAX_TYPED_LINE: usize = 4096;

/// Characters of an instruction, a value or a path quoted inside a reason
/// or an error message. A reason is one line on the screen; 200 characters
/// show what changed, and a 4 MB instruction quoted whole would bury it.
pub const QUOTE_CHARS: usize = 200;

/// Screen pictures (`layerlab-screen-N.svg`) one folder takes: far more
/// than a lecture's slides, and a bound on the names tried before the key
/// reports that the folder is full.
pub const SCREEN_FILES: u32 = 10_000;

/// `text` as a reason quotes it: whole when it is short, else its first
/// [`QUOTE_CHARS`] characters and `…`.
pub fn quote_cut(text: &str) -> String {
    match text.char_indices().nth(QUOTE_CHARS) {
        None => text.to_owned(),
        Some((end, _)) => format!("{}…", &text[..end]),
    }
}

/// The message of every error that reports a limit passed: what was too
/// big, the limit, and that it is layerlab's (so a learner does not look
/// for it in Docker's documentation).
pub fn exceeded(what: &str, limit: impl std::fmt::Display) -> String {
    format!("{what} exceeds layerlab's limit of {limit}")
}

/// Keeps the first [`STEP_OUTPUT_BYTES`] of a step's output and ends it
/// with [`OUTPUT_CLIPPED`] when there was more, as BuildKit's log does.
pub fn clip_output(log: &mut String) {
    if log.len() <= STEP_OUTPUT_BYTES {
        return;
    }
    let mut end = STEP_OUTPUT_BYTES;
    while !log.is_char_boundary(end) {
        end -= 1;
    }
    log.truncate(end);
    if !log.ends_with('\n') {
        log.push('\n');
    }
    log.push_str(OUTPUT_CLIPPED);
}

/// An error at an instruction, as a limit passed reports it:
/// `ENV on line 3: … exceeds layerlab's limit of …`.
pub fn in_instruction(keyword: &str, line: usize, message: &str) -> String {
    format!("{keyword} on line {line}: {message}")
}

/// Seconds `layerlab build --engine docker` (and the screen) waits for the
/// real daemon's build before stopping it. The lecture's builds take
/// seconds; a RUN that hangs, or a daemon that stopped answering, must not
/// hold the learner's build (or a CI job) forever.
pub const ENGINE_BUILD_SECONDS: u64 = 600;

/// Seconds to wait for the daemon to answer whether it is there at all.
pub const ENGINE_PROBE_SECONDS: u64 = 10;

/// Bytes of the real daemon's build output kept for reading its verdicts:
/// ample for thousands of steps; past it the rest is drained unread, and
/// the steps printed after that point show as not run.
pub const ENGINE_OUTPUT_BYTES: usize = 8 << 20;

/// The largest picture `layerlab present --export --size` draws, in
/// terminal cells: a 4K projector at a small font is about 400×120; each
/// SVG holds one element per run of cells, so this keeps a file under a
/// few megabytes. Smaller than 40×12 the layout has no room for the key
/// figure and a verdict.
pub const PRESENT_SIZE_MAX: (u16, u16) = (400, 200);
pub const PRESENT_SIZE_MIN: (u16, u16) = (40, 12);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_quoted_whole_and_long_text_is_cut_with_an_ellipsis() {
        assert_eq!(quote_cut("RUN make"), "RUN make");
        let long = "é".repeat(QUOTE_CHARS + 50);
        let cut = quote_cut(&long);
        assert_eq!(cut.chars().count(), QUOTE_CHARS + 1);
        assert!(cut.ends_with('…'));
        assert_eq!(quote_cut(&"x".repeat(QUOTE_CHARS)), "x".repeat(QUOTE_CHARS));
    }

    #[test]
    fn output_past_the_log_limit_is_clipped_with_buildkits_note() {
        let mut short = "ok\n".to_owned();
        clip_output(&mut short);
        assert_eq!(short, "ok\n");
        let mut long = "ü".repeat(STEP_OUTPUT_BYTES);
        clip_output(&mut long);
        assert!(
            long.ends_with(OUTPUT_CLIPPED),
            "{}",
            &long[long.len() - 60..]
        );
        assert!(long.len() <= STEP_OUTPUT_BYTES + 1 + OUTPUT_CLIPPED.len());
    }
}
