//! The interactive screen's session over a real engine, for the app and
//! screen tests: opened on a context directory with its state beside it, and
//! driven by key names.

use std::path::{Path, PathBuf};

use layerlab::app::i18n::Lang;
use layerlab::app::{Event, Key};
use layerlab::engine::daemon::Daemon;
use layerlab::runtime::Session;

/// A session on `ctx/Dockerfile` (shown as `label`) with the engine state in
/// `state_parent/state`; not started, so the caller can set the model first.
pub fn open(state_parent: &Path, ctx: PathBuf, label: &str, lang: Lang) -> Session {
    let daemon = Daemon::open(&state_parent.join("state")).unwrap();
    let dockerfile = ctx.join("Dockerfile");
    Session::open(daemon, ctx, dockerfile, label, lang).unwrap()
}

/// Presses the space-separated keys (`j`, `enter`, `alt+up`, …) in order.
pub fn press(s: &mut Session, keys: &str) {
    for k in keys.split_whitespace() {
        s.dispatch(Event::Key(k.parse::<Key>().unwrap()));
    }
}
