//! busybox `tar`: create (`c`), extract (`x`) and list (`t`) plain ustar
//! archives in the in-memory filesystem, with `-C DIR` and `-f FILE`.
//! `z` reads gzip itself; to write it busybox runs `gzip` from `PATH`,
//! which the base image lacks (it has no link for it). `j` and `J` are not
//! simulated and fail clearly.

use std::io::Read;
use std::sync::Arc;

use super::{read_input, Io, Registry};
use crate::filesystem::blob::Blob;
use crate::filesystem::rootfs::NodeKind;
use crate::shell::interp::Shell;

pub(super) fn register(r: &mut Registry) {
    r.register("tar", true, Arc::new(tar));
}

fn tar(sh: &mut Shell, argv: &[String], io: &mut Io) -> i32 {
    let mut mode = None;
    let mut file: Option<String> = None;
    let mut dir: Option<String> = None;
    let mut verbose = false;
    let mut gz = false;
    let mut to_stdout = false;
    let mut operands = Vec::new();
    let mut i = 1;
    let mut first = true;
    while i < argv.len() {
        let a = argv[i].clone();
        // The first word may be a bundle without a dash (`tar cf x.tar .`).
        let bundle = if let Some(b) = a.strip_prefix('-').filter(|b| !b.starts_with('-')) {
            Some(b.to_owned())
        } else if first && !a.starts_with('-') {
            Some(a.clone())
        } else {
            None
        };
        first = false;
        match bundle {
            Some(b) => {
                for c in b.chars() {
                    match c {
                        'c' | 'x' | 't' => mode = Some(c),
                        'v' => verbose = true,
                        'f' => {
                            i += 1;
                            file = argv.get(i).cloned();
                        }
                        'C' => {
                            i += 1;
                            dir = argv.get(i).cloned();
                        }
                        'z' => gz = true,
                        'O' => to_stdout = true,
                        'j' | 'J' => {
                            io.eprint("layerlab: tar compression (z/j/J) is not simulated\n");
                            return 1;
                        }
                        'o' | 'p' | 'h' | 'm' => {}
                        other => {
                            io.error("tar", &format!("invalid option -- '{other}'"));
                            return 1;
                        }
                    }
                }
            }
            None if a == "--directory" => {
                i += 1;
                dir = argv.get(i).cloned();
            }
            None => operands.push(a),
        }
        i += 1;
    }
    if let Some(d) = &dir {
        if let Err(e) = sh.fs().stat(&sh.abs(d)).and_then(|n| {
            if n.is_dir() {
                Ok(())
            } else {
                Err(crate::filesystem::rootfs::FsError::NotADirectory(d.clone()))
            }
        }) {
            io.error(
                "tar",
                &format!("can't change directory to '{d}': {}", e.strerror()),
            );
            return 1;
        }
    }
    let base = dir.map_or_else(|| sh.cwd().to_owned(), |d| sh.abs(&d));
    match mode {
        Some('c') => create(sh, io, &base, file.as_deref(), &operands, verbose, gz),
        Some('x') | Some('t') => {
            let data = match file.as_deref() {
                None | Some("-") => io.stdin().to_vec(),
                Some(f) => match read_input(sh, io, f) {
                    Ok(d) => d,
                    Err(e) => {
                        io.error("tar", &format!("can't open '{f}': {}", e.strerror()));
                        return 1;
                    }
                },
            };
            let data = if gz {
                match super::gzip::decompress(&data, sh.limits().max_bytes) {
                    Ok(d) => d,
                    Err(e) => {
                        // The unpacker's complaint, then tar's own at the
                        // empty stream it got.
                        io.error("tar", &e.message());
                        io.error("tar", "short read");
                        return 1;
                    }
                }
            } else {
                data
            };
            let how = Extract {
                list: mode == Some('t'),
                verbose,
                to_stdout,
                members: &operands,
            };
            extract(sh, io, &base, &data, &how)
        }
        _ => {
            io.error("tar", "must specify one of -c, -t, -x");
            1
        }
    }
}

fn create(
    sh: &mut Shell,
    io: &mut Io,
    base: &str,
    file: Option<&str>,
    operands: &[String],
    verbose: bool,
    gz: bool,
) -> i32 {
    if operands.is_empty() {
        io.error("tar", "empty archive");
        return 1;
    }
    let mut builder = tar::Builder::new(Vec::new());
    for op in operands {
        let abs = if op.starts_with('/') {
            op.clone()
        } else {
            format!("{}/{op}", base.trim_end_matches('/'))
        };
        let Ok(top) = sh.fs().lstat(&abs) else {
            io.error("tar", &format!("{op}: No such file or directory"));
            return 1;
        };
        let name = op.trim_start_matches('/').to_owned();
        let mut entries = vec![(name.clone(), top)];
        if let Ok(w) = sh.fs().walk(&abs) {
            for (rel, n) in w {
                entries.push((format!("{}/{rel}", name.trim_end_matches('/')), n));
            }
        }
        for (path, node) in entries {
            if verbose {
                io.eprint(&format!("{path}\n"));
            }
            let mut h = tar::Header::new_ustar();
            h.set_mode(node.mode);
            h.set_uid(u64::from(node.uid));
            h.set_gid(u64::from(node.gid));
            h.set_mtime(u64::try_from(node.mtime).unwrap_or(0));
            let name = match node.kind {
                NodeKind::Dir => format!("{}/", path.trim_end_matches('/')),
                _ => path.clone(),
            };
            let r = append(&mut builder, &mut h, &name, &node);
            if let Err(e) = r {
                io.error("tar", &format!("{path}: {e}"));
                return 1;
            }
        }
    }
    let data = match builder.into_inner() {
        Ok(d) => d,
        Err(e) => {
            io.error("tar", &e.to_string());
            return 1;
        }
    };
    // busybox pipes the archive through a `gzip` it looks up in PATH; with
    // none there the archive is left empty.
    let (data, status) = match (gz, sh.find_in_path("gzip")) {
        (false, _) => (data, 0),
        (true, Some(_)) => (super::gzip::compress(&data), 0),
        (true, None) => {
            io.error("tar", "can't execute 'gzip': No such file or directory");
            (Vec::new(), 1)
        }
    };
    match file {
        None | Some("-") => io.out.extend_from_slice(&data),
        Some(f) => {
            let abs = sh.abs(f);
            let (uid, gid, mode) = (sh.user().uid, sh.user().gid, 0o666 & !sh.umask());
            if let Err(e) = sh
                .fs_mut()
                .write_file(&abs, Blob::from_bytes(data), mode, uid, gid)
            {
                io.error("tar", &format!("can't open '{f}': {}", e.strerror()));
                return 1;
            }
        }
    }
    status
}

/// What `tar x`/`tar t` does with each entry.
struct Extract<'a> {
    list: bool,
    verbose: bool,
    /// `-O`: file contents to stdout, nothing written.
    to_stdout: bool,
    /// Only these names (and what is under them), when any are given.
    members: &'a [String],
}

fn extract(sh: &mut Shell, io: &mut Io, base: &str, data: &[u8], how: &Extract) -> i32 {
    let (list, verbose) = (how.list, how.verbose);
    let mut archive = tar::Archive::new(data);
    let entries = match archive.entries() {
        Ok(e) => e,
        Err(e) => {
            io.error("tar", &e.to_string());
            return 1;
        }
    };
    for entry in entries {
        let mut entry = match entry {
            Ok(e) => e,
            Err(_) => {
                io.error("tar", "short read");
                return 1;
            }
        };
        let path = match entry.path() {
            Ok(p) => p.to_string_lossy().into_owned(),
            Err(_) => continue,
        };
        let wanted = how.members.is_empty()
            || how.members.iter().any(|m| {
                let m = m.trim_end_matches('/');
                let p = path.trim_end_matches('/');
                p == m || p.strip_prefix(m).is_some_and(|r| r.starts_with('/'))
            });
        if !wanted {
            continue;
        }
        if how.to_stdout && !list {
            if entry.header().entry_type().is_file() {
                let mut bytes = Vec::new();
                if entry.read_to_end(&mut bytes).is_err() {
                    io.error("tar", "short read");
                    return 1;
                }
                io.out.extend_from_slice(&bytes);
            }
            continue;
        }
        if list || verbose {
            let line = format!("{path}\n");
            if list {
                io.print(&line);
            } else {
                io.eprint(&line);
            }
        }
        if list {
            continue;
        }
        let h = entry.header();
        let mode = h.mode().unwrap_or(0o644);
        let uid = u32::try_from(h.uid().unwrap_or(0)).unwrap_or(0);
        let gid = u32::try_from(h.gid().unwrap_or(0)).unwrap_or(0);
        let kind = h.entry_type();
        let target = format!(
            "{}/{}",
            base.trim_end_matches('/'),
            path.trim_start_matches('/')
        );
        let target = target.trim_end_matches('/').to_owned();
        if let Some(i) = target.rfind('/').filter(|i| *i > 0) {
            let _ = sh.fs_mut().mkdir_all(&target[..i], 0o755, 0, 0);
        }
        let r = match kind {
            tar::EntryType::Directory => {
                if sh.fs().stat(&target).is_ok_and(|n| n.is_dir()) {
                    sh.fs_mut().chmod(&target, mode)
                } else {
                    sh.fs_mut().mkdir(&target, mode, uid, gid)
                }
            }
            tar::EntryType::Symlink => {
                let link = entry
                    .link_name()
                    .ok()
                    .flatten()
                    .map(|l| l.to_string_lossy().into_owned())
                    .unwrap_or_default();
                if sh.fs().lstat(&target).is_ok() {
                    let _ = sh.fs_mut().remove(&target);
                }
                sh.fs_mut().symlink(&link, &target)
            }
            _ => {
                let mut bytes = Vec::new();
                if entry.read_to_end(&mut bytes).is_err() {
                    io.error("tar", "short read");
                    return 1;
                }
                sh.fs_mut()
                    .write_file(&target, Blob::from_bytes(bytes), mode, uid, gid)
            }
        };
        if let Err(e) = r {
            io.error("tar", &format!("{path}: {}", e.strerror()));
            return 1;
        }
    }
    0
}

/// Appends one entry keeping the name exactly as busybox writes it
/// (`./a/`); the tar crate's path setters would drop the `./`.
fn append(
    builder: &mut tar::Builder<Vec<u8>>,
    h: &mut tar::Header,
    name: &str,
    node: &crate::filesystem::rootfs::Node,
) -> std::io::Result<()> {
    let data = match &node.kind {
        NodeKind::Dir => {
            h.set_entry_type(tar::EntryType::Directory);
            Vec::new()
        }
        NodeKind::Symlink(t) => {
            h.set_entry_type(tar::EntryType::Symlink);
            h.set_link_name(t)?;
            Vec::new()
        }
        NodeKind::File(b) => {
            h.set_entry_type(tar::EntryType::Regular);
            b.to_vec()?
        }
        NodeKind::CharDevice { major, minor } => {
            h.set_entry_type(tar::EntryType::Char);
            h.set_device_major(*major)?;
            h.set_device_minor(*minor)?;
            Vec::new()
        }
    };
    h.set_size(data.len() as u64);
    let bytes = name.as_bytes();
    match h.as_ustar_mut() {
        Some(ustar) if bytes.len() <= ustar.name.len() => {
            ustar.name.fill(0);
            ustar.name[..bytes.len()].copy_from_slice(bytes);
            h.set_cksum();
            builder.append(h, data.as_slice())
        }
        _ => builder.append_data(h, name, data.as_slice()),
    }
}
