//! Variable expansion as Docker applies it to instruction arguments.
