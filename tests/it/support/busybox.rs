//! The conformance scenarios' base image: `/bin/busybox` (as large as
//! Debian's busybox-static) and nine applet links to it, in memory.

use layerlab::filesystem::blob::Blob;
use layerlab::filesystem::rootfs::RootFs;

/// The applets linked to `/bin/busybox` (`conformance/runner/make_base.sh`).
pub const APPLETS: [&str; 9] = [
    "sh", "ls", "echo", "cat", "mkdir", "touch", "cp", "rm", "sleep",
];

/// Bytes of Debian's busybox-static 1.35.0.
pub const SIZE: u64 = 1_982_256;

/// Adds `/bin`, a lazy `/bin/busybox` whose bytes come from `seed`, and the
/// applet links.
pub fn install(fs: &mut RootFs, seed: u64) {
    fs.mkdir("/bin", 0o755, 0, 0).expect("mkdir");
    fs.write_file("/bin/busybox", Blob::lazy(SIZE, seed), 0o755, 0, 0)
        .expect("write");
    for applet in APPLETS {
        fs.symlink("busybox", &format!("/bin/{applet}"))
            .expect("symlink");
    }
}
