//! The app's state and its changes, pure: a [`Model`], [`Event`]s in, and
//! [`Effect`]s out for the runtime to perform. No terminal, no disk.

pub mod action;
pub mod compare;
pub mod document;
pub mod editor;
pub mod effect;
pub mod engine_view;
pub mod files;
pub mod i18n;
pub mod keymap;
pub mod lesson;
pub mod lesson_update;
pub mod menu;
pub mod model;
pub mod present;
pub mod rows;
pub mod shell;
pub mod update;

pub use action::Action;
pub use effect::{ContextOp, Effect};
pub use keymap::{Key, KeyCode, Keymap};
pub use model::Model;
pub use update::{update, Event};
