//! What a RUN's command finds besides the image: the filesystems runc
//! mounts (`/dev`, `/proc`, `/sys`), the files the builder bind-mounts into
//! `/etc`, and, under the classic builder, the container's init layer.
//!
//! Checked on dockerd 20.10 with the busybox base, which holds only `/bin`
//! (recorded: our 80–82). Both builders show `/dev` (a tmpfs of device
//! nodes and links), `/proc`, `/sys` (read-only), `/etc/hosts` and
//! `/etc/resolv.conf`; so `mkdir /etc` fails and `echo x > /etc/foo` works.
//! BuildKit mounts its two `/etc` files read-only and names the host
//! `buildkitsandbox` (no `/etc/hostname`); the classic builder's container
//! also has `/etc/hostname` (its short id), `/etc/mtab` → `/proc/mounts`
//! and `/.dockerenv`, its `/etc` files writable. What each leaves in the
//! layer differs: BuildKit makes a missing mount point in the image itself,
//! so the first RUN over the bare base commits empty `dev/`, `etc/`,
//! `proc/`, `sys/` (and each later RUN `etc/`, where it made and removed the
//! file stubs again); the classic builder's mount points live in an init
//! layer below the container, never committed, so a RUN that writes nothing
//! makes no layer, and one writing `/etc/foo` commits `etc/` and `foo`.

use super::mounts::Mounted;
use super::BuilderKind;
use crate::filesystem::blob::Blob;
use crate::filesystem::rootfs::{MountAccess, Node};

/// BuildKit's `/etc/hosts` with `--network=none`.
const BUILDKIT_HOSTS: &str =
    "127.0.0.1\tlocalhost buildkitsandbox\n::1\tlocalhost ip6-localhost ip6-loopback\n";

/// The daemon's `/etc/hosts` for a container without a network.
const CLASSIC_HOSTS: &str = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n";

/// Both copy the host's resolv.conf; layerlab has no host to copy from, so
/// it shows what the daemon writes when the host names no usable server.
const RESOLV_CONF: &str = "nameserver 8.8.8.8\nnameserver 8.8.4.4\n";

/// The host name BuildKit gives every RUN.
pub(super) const BUILDKIT_HOSTNAME: &str = "buildkitsandbox";

/// The mounts a RUN's command runs under, in the order they are laid,
/// and the classic init layer's files (as mounts whose changes vanish),
/// all made at `now`.
pub(super) fn runtime_mounts(builder: BuilderKind, hostname: &str, now: i64) -> Vec<Mounted> {
    let mut out = laid(builder, hostname);
    for m in &mut out {
        m.stamp(now);
    }
    out
}

fn laid(builder: BuilderKind, hostname: &str) -> Vec<Mounted> {
    use MountAccess::{NoCreate, ReadOnly, ReadWrite};
    let dir = |target: &str, access| {
        Mounted::runtime(target, Node::dir(0o555, 0, 0), Vec::new(), Some(access))
    };
    let file = |target: &str, body: &str, access| {
        let node = Node::file(Blob::from(body), 0o644, 0, 0);
        Mounted::runtime(target, node, Vec::new(), Some(access))
    };
    let mut out = vec![
        Mounted::runtime("/dev", Node::dir(0o755, 0, 0), dev_nodes(), Some(ReadWrite)),
        dir("/proc", NoCreate),
        dir("/sys", ReadOnly),
    ];
    match builder {
        BuilderKind::Buildkit => {
            out.push(file("/etc/hosts", BUILDKIT_HOSTS, ReadOnly));
            out.push(file("/etc/resolv.conf", RESOLV_CONF, ReadOnly));
        }
        BuilderKind::Classic => {
            out.push(file("/etc/resolv.conf", RESOLV_CONF, ReadWrite));
            let hostname = format!("{hostname}\n");
            out.push(file("/etc/hostname", &hostname, ReadWrite));
            out.push(file("/etc/hosts", CLASSIC_HOSTS, ReadWrite));
            let mtab = Node::symlink("/proc/mounts");
            out.push(Mounted::runtime("/etc/mtab", mtab, Vec::new(), None));
            let dockerenv = Node::file(Blob::from(""), 0o755, 0, 0);
            out.push(Mounted::runtime("/.dockerenv", dockerenv, Vec::new(), None));
        }
    }
    out
}

/// What runc puts in a container's `/dev` (the same under both builders).
fn dev_nodes() -> Vec<(String, Node)> {
    let dev = |major, minor| Node::char_device(major, minor, 0o666);
    let link = |target: &str| Node::symlink(target);
    [
        ("fd", link("/proc/self/fd")),
        ("full", dev(1, 7)),
        ("mqueue", Node::dir(0o1777, 0, 0)),
        ("null", dev(1, 3)),
        ("ptmx", link("pts/ptmx")),
        ("pts", Node::dir(0o755, 0, 0)),
        ("pts/ptmx", dev(5, 2)),
        ("random", dev(1, 8)),
        ("shm", Node::dir(0o1777, 0, 0)),
        ("stderr", link("/proc/self/fd/2")),
        ("stdin", link("/proc/self/fd/0")),
        ("stdout", link("/proc/self/fd/1")),
        ("tty", dev(5, 0)),
        ("urandom", dev(1, 9)),
        ("zero", dev(1, 5)),
    ]
    .into_iter()
    .map(|(name, node)| (name.to_owned(), node))
    .collect()
}
