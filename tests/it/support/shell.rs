//! Shared fixtures for the shell tests: the conformance base (busybox-static
//! in /bin with nine applet symlinks) and a runner.

use layerlab::filesystem::blob::Blob;
use layerlab::filesystem::rootfs::RootFs;
use layerlab::filesystem::users::User;
use layerlab::shell::{self, ExecContext, ExecResult};

/// 2026-11-28 06:32:29 UTC, the clock the tests run at.
pub const NOW: i64 = 1_795_847_549;

/// The scenarios' base image: `/bin/busybox` and nine symlinks to it.
pub fn busybox_base() -> RootFs {
    let mut fs = RootFs::new();
    fs.set_now(NOW - 86_400);
    super::busybox::install(&mut fs, 7);
    fs.set_now(NOW);
    fs
}

/// Adds a file as COPY from a build context puts it: mode 0644, root.
pub fn put(fs: &mut RootFs, path: &str, content: &str) {
    let parent = &path[..path.rfind('/').unwrap()];
    if !parent.is_empty() {
        fs.mkdir_all(parent, 0o755, 0, 0).unwrap();
    }
    fs.write_file(
        path,
        Blob::from_bytes(content.as_bytes().to_vec()),
        0o644,
        0,
        0,
    )
    .unwrap();
}

pub fn run_in(fs: &mut RootFs, cwd: &str, script: &str) -> ExecResult {
    let mut ctx = ExecContext::new(fs);
    ctx.cwd = cwd.to_owned();
    shell::run(script, &mut ctx)
}

pub fn run_as(fs: &mut RootFs, user: User, script: &str) -> ExecResult {
    let mut ctx = ExecContext::new(fs);
    ctx.user = user;
    shell::run(script, &mut ctx)
}

pub fn run(fs: &mut RootFs, script: &str) -> ExecResult {
    run_in(fs, "/", script)
}

pub fn read(fs: &RootFs, path: &str) -> String {
    String::from_utf8(fs.read_file(path).unwrap().to_vec().unwrap()).unwrap()
}
