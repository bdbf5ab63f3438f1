//! The small POSIX shell that RUN executes over the in-memory filesystem.
