//! The integration tests, linked as one binary (one link of the library and
//! its dependencies instead of one per file). Each module is one former
//! `tests/*.rs` file; `support` holds the fixtures they share. Run one part
//! with a filter: `cargo test --test it shell_`, `cargo test --test it
//! live_engine`.

mod support;

mod architecture;
mod build_cache_gc;
mod catalog;
mod classic_hash;
mod cli_build;
mod cli_docker;
mod cli_lesson;
mod cli_parse;
mod conformance;
mod engine_context;
mod engine_layer;
mod engine_oracle;
mod engine_overlay;
mod engine_rootfs;
mod engine_state;
mod expand;
mod expand_props;
mod lesson_e2e;
mod lesson_screen;
mod lessons;
mod live_containers;
mod live_engine;
mod live_engine_side;
mod messages;
mod parser_cases;
mod parser_corpus;
mod parser_props;
mod shell_busybox;
mod shell_commands;
mod shell_conformance;
mod shell_exec;
mod shell_pkg;
mod shell_props;
mod state_processes;
mod tui_app;
mod tui_e2e;
mod tui_editor;
mod tui_present;
mod tui_record;
mod tui_screens;
