//! Account tools: busybox `adduser`/`addgroup` (Alpine's spelling) and
//! shadow-utils `useradd`/`groupadd` (Debian's). They write `/etc/passwd`,
//! `/etc/group` and `/etc/shadow` in the exact line formats and create
//! home directories.

use std::sync::Arc;

use super::{Io, Registry};
use crate::filesystem::blob::Blob;
use crate::filesystem::rootfs::FsError;
use crate::filesystem::users;
use crate::shell::interp::Shell;

pub(super) fn register(r: &mut Registry) {
    // Debian's busybox-static leaves these applets out; Alpine ships them
    // as symlinks, so they are found through PATH only.
    r.register("adduser", false, Arc::new(adduser));
    r.register("addgroup", false, Arc::new(addgroup));
    r.register("useradd", false, Arc::new(useradd));
    r.register("groupadd", false, Arc::new(groupadd));
}

fn append_line(sh: &mut Shell, path: &str, line: &str, mode: u32) -> Result<(), FsError> {
    let (mut data, mode) = match sh.fs().stat(path) {
        Ok(n) => (
            sh.fs()
                .read_file(path)
                .ok()
                .and_then(|b| b.to_vec().ok())
                .unwrap_or_default(),
            n.mode,
        ),
        Err(_) => (Vec::new(), mode),
    };
    if !data.is_empty() && !data.ends_with(b"\n") {
        data.push(b'\n');
    }
    data.extend_from_slice(line.as_bytes());
    data.push(b'\n');
    if let Some(i) = path.rfind('/').filter(|i| *i > 0) {
        sh.fs_mut().mkdir_all(&path[..i], 0o755, 0, 0)?;
    }
    sh.fs_mut()
        .write_file(path, Blob::from_bytes(data), mode, 0, 0)
}

/// Rewrites `/etc/group` adding `user` to `group`'s member list.
fn add_member(sh: &mut Shell, group: &str, user: &str) -> Result<bool, FsError> {
    let text = users::group_text(sh.fs());
    let mut found = false;
    let mut out = String::new();
    for line in text.lines() {
        let f: Vec<&str> = line.split(':').collect();
        if f.len() >= 4 && f[0] == group {
            found = true;
            let mut members: Vec<&str> = f[3].split(',').filter(|m| !m.is_empty()).collect();
            if !members.contains(&user) {
                members.push(user);
            }
            out.push_str(&format!(
                "{}:{}:{}:{}\n",
                f[0],
                f[1],
                f[2],
                members.join(",")
            ));
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    if found {
        let mode = sh.fs().stat("/etc/group").map_or(0o644, |n| n.mode);
        sh.fs_mut()
            .write_file("/etc/group", Blob::from_bytes(out.into_bytes()), mode, 0, 0)?;
    }
    Ok(found)
}

/// The next free id at or above `from` (and below `to`).
fn next_id(used: &[u32], from: u32, to: u32) -> u32 {
    (from..to).find(|i| !used.contains(i)).unwrap_or(to)
}

struct NewUser {
    name: String,
    uid: Option<u32>,
    gid_or_group: Option<String>,
    home: Option<String>,
    shell: Option<String>,
    gecos: String,
    system: bool,
    create_home: bool,
    user_group: bool,
}

impl NewUser {
    /// A user with nothing given on the command line yet: busybox `adduser`
    /// and shadow `useradd` differ only in the GECOS text and whether a home
    /// is created.
    fn unnamed(gecos: &str, create_home: bool) -> NewUser {
        NewUser {
            name: String::new(),
            uid: None,
            gid_or_group: None,
            home: None,
            shell: None,
            gecos: gecos.to_owned(),
            system: false,
            create_home,
            user_group: true,
        }
    }
}

fn create_user(sh: &mut Shell, io: &mut Io, applet: &str, u: &NewUser, busybox: bool) -> i32 {
    let passwd = users::passwd(sh.fs());
    let groups = users::groups(sh.fs());
    if passwd.iter().any(|e| e.name == u.name) {
        if busybox {
            io.error(applet, &format!("user '{}' in use", u.name));
        } else {
            io.error(applet, &format!("user '{}' already exists", u.name));
        }
        return if busybox { 1 } else { 9 };
    }
    let used: Vec<u32> = passwd.iter().map(|e| e.uid).collect();
    let (lo, hi) = if u.system { (100, 999) } else { (1000, 60000) };
    let uid = u.uid.unwrap_or_else(|| next_id(&used, lo, hi));
    let gid = match &u.gid_or_group {
        Some(g) => match g.parse::<u32>() {
            Ok(n) => n,
            Err(_) => match groups.iter().find(|e| e.name == *g) {
                Some(e) => e.gid,
                None => {
                    io.error(applet, &format!("unknown group {g}"));
                    return if busybox { 1 } else { 6 };
                }
            },
        },
        None if u.user_group => {
            let taken: Vec<u32> = groups.iter().map(|e| e.gid).collect();
            let gid = if taken.contains(&uid) {
                next_id(&taken, lo, hi)
            } else {
                uid
            };
            let line = format!("{}:x:{gid}:", u.name);
            if let Err(e) = append_line(sh, "/etc/group", &line, 0o644) {
                io.error(applet, &e.to_string());
                return 1;
            }
            if !busybox || sh.fs().exists("/etc/gshadow") {
                let _ = append_line(sh, "/etc/gshadow", &format!("{}:!::", u.name), 0o640);
            }
            gid
        }
        None => 100,
    };
    let home = u
        .home
        .clone()
        .unwrap_or_else(|| format!("/home/{}", u.name));
    let shell = u.shell.clone().unwrap_or_else(|| "/bin/sh".into());
    let line = format!("{}:x:{uid}:{gid}:{}:{home}:{shell}", u.name, u.gecos);
    if let Err(e) = append_line(sh, "/etc/passwd", &line, 0o644) {
        io.error(applet, &e.to_string());
        return 1;
    }
    // busybox and shadow-utils both write `name:!:DAYS:0:99999:7:::`;
    // days since the epoch come from the simulated clock.
    let days = sh.now().div_euclid(86400);
    let shadow = format!("{}:!:{days}:0:99999:7:::", u.name);
    let _ = append_line(sh, "/etc/shadow", &shadow, 0o640);
    if u.create_home && sh.fs().stat(&home).is_err() {
        let _ = sh.fs_mut().mkdir_all(&home, 0o755, 0, 0);
        let _ = sh.fs_mut().chmod(&home, 0o755);
        let _ = sh.fs_mut().chown(&home, uid, gid);
    }
    0
}

/// busybox `adduser [-D] [-S] [-H] [-h DIR] [-s SHELL] [-G GRP] [-g GECOS] [-u UID] USER [GROUP]`.
fn adduser(sh: &mut Shell, argv: &[String], io: &mut Io) -> i32 {
    let mut u = NewUser::unnamed("Linux User,,,", true);
    let mut operands = Vec::new();
    let mut i = 1;
    while i < argv.len() {
        let a = argv[i].as_str();
        let mut val = || {
            i += 1;
            argv.get(i).cloned().unwrap_or_default()
        };
        match a {
            "-D" | "--disabled-password" => {}
            "-S" | "--system" => u.system = true,
            "-H" | "--no-create-home" => u.create_home = false,
            "-h" | "--home" => u.home = Some(val()),
            "-s" | "--shell" => u.shell = Some(val()),
            "-G" | "--ingroup" => {
                u.gid_or_group = Some(val());
                u.user_group = false;
            }
            "-g" | "--gecos" => u.gecos = val(),
            "-u" | "--uid" => u.uid = val().parse().ok(),
            "-k" => {
                val();
            }
            s if s.starts_with('-') => {}
            s => operands.push(s.to_owned()),
        }
        i += 1;
    }
    if u.system {
        u.user_group = false;
        if u.gid_or_group.is_none() {
            u.gid_or_group = Some("65534".to_owned());
            if users::groups(sh.fs()).iter().any(|g| g.name == "nogroup") {
                u.gid_or_group = Some("nogroup".to_owned());
            }
        }
        if u.shell.is_none() {
            u.shell = Some("/sbin/nologin".to_owned());
        }
    }
    match operands.as_slice() {
        [name] => {
            u.name = name.clone();
            create_user(sh, io, "adduser", &u, true)
        }
        [user, group] => {
            // `adduser USER GROUP` adds an existing user to a group.
            match add_member(sh, group, user) {
                Ok(true) => 0,
                _ => {
                    io.error("adduser", &format!("unknown group {group}"));
                    1
                }
            }
        }
        _ => {
            io.eprint(
                "BusyBox v1.36.1 multi-call binary.\n\nUsage: adduser [OPTIONS] USER [GROUP]\n",
            );
            1
        }
    }
}

fn create_group(
    sh: &mut Shell,
    io: &mut Io,
    applet: &str,
    name: &str,
    gid: Option<u32>,
    system: bool,
    busybox: bool,
) -> i32 {
    let groups = users::groups(sh.fs());
    if groups.iter().any(|g| g.name == name) {
        io.error(
            applet,
            &format!(
                "group '{name}' {}",
                if busybox { "in use" } else { "already exists" }
            ),
        );
        return if busybox { 1 } else { 9 };
    }
    let used: Vec<u32> = groups.iter().map(|g| g.gid).collect();
    let (lo, hi) = if system { (100, 999) } else { (1000, 60000) };
    let gid = gid.unwrap_or_else(|| next_id(&used, lo, hi));
    if let Err(e) = append_line(sh, "/etc/group", &format!("{name}:x:{gid}:"), 0o644) {
        io.error(applet, &e.to_string());
        return 1;
    }
    if !busybox || sh.fs().exists("/etc/gshadow") {
        let _ = append_line(sh, "/etc/gshadow", &format!("{name}:!::"), 0o640);
    }
    0
}

/// busybox `addgroup [-g GID] [-S] GROUP` or `addgroup USER GROUP`.
fn addgroup(sh: &mut Shell, argv: &[String], io: &mut Io) -> i32 {
    let mut gid = None;
    let mut system = false;
    let mut operands = Vec::new();
    let mut i = 1;
    while i < argv.len() {
        match argv[i].as_str() {
            "-g" => {
                i += 1;
                gid = argv.get(i).and_then(|v| v.parse().ok());
            }
            "-S" => system = true,
            s if s.starts_with('-') => {}
            s => operands.push(s.to_owned()),
        }
        i += 1;
    }
    match operands.as_slice() {
        [g] => create_group(sh, io, "addgroup", g, gid, system, true),
        [user, group] => match add_member(sh, group, user) {
            Ok(true) => 0,
            _ => {
                io.error("addgroup", &format!("unknown group {group}"));
                1
            }
        },
        _ => 1,
    }
}

/// shadow-utils `useradd [-m] [-M] [-r] [-u UID] [-g GROUP] [-G G1,G2] [-d HOME] [-s SHELL] [-c GECOS] NAME`.
fn useradd(sh: &mut Shell, argv: &[String], io: &mut Io) -> i32 {
    let mut u = NewUser::unnamed("", false);
    let mut extra_groups = Vec::new();
    let mut i = 1;
    while i < argv.len() {
        let a = argv[i].clone();
        let mut val = || {
            i += 1;
            argv.get(i).cloned().unwrap_or_default()
        };
        match a.as_str() {
            "-m" | "--create-home" => u.create_home = true,
            "-M" | "--no-create-home" => u.create_home = false,
            "-r" | "--system" => u.system = true,
            "-u" | "--uid" => u.uid = val().parse().ok(),
            "-g" | "--gid" => {
                u.gid_or_group = Some(val());
                u.user_group = false;
            }
            "-G" | "--groups" => extra_groups = val().split(',').map(str::to_owned).collect(),
            "-d" | "--home-dir" => u.home = Some(val()),
            "-s" | "--shell" => u.shell = Some(val()),
            "-c" | "--comment" => u.gecos = val(),
            "-N" | "--no-user-group" => {
                u.user_group = false;
            }
            "-l" | "-o" | "-U" => {}
            s if s.starts_with('-') => {}
            s => u.name = s.to_owned(),
        }
        i += 1;
    }
    if u.name.is_empty() {
        io.eprint("Usage: useradd [options] LOGIN\n");
        return 2;
    }
    if !u.user_group && u.gid_or_group.is_none() {
        u.gid_or_group = Some("100".to_owned());
    }
    let name = u.name.clone();
    let status = create_user(sh, io, "useradd", &u, false);
    if status != 0 {
        return status;
    }
    for g in extra_groups.iter().filter(|g| !g.is_empty()) {
        if !matches!(add_member(sh, g, &name), Ok(true)) {
            io.error("useradd", &format!("group '{g}' does not exist"));
            return 6;
        }
    }
    0
}

/// shadow-utils `groupadd [-g GID] [-r] NAME`.
fn groupadd(sh: &mut Shell, argv: &[String], io: &mut Io) -> i32 {
    let mut gid = None;
    let mut system = false;
    let mut name = None;
    let mut i = 1;
    while i < argv.len() {
        match argv[i].as_str() {
            "-g" | "--gid" => {
                i += 1;
                gid = argv.get(i).and_then(|v| v.parse().ok());
            }
            "-r" | "--system" => system = true,
            s if s.starts_with('-') => {}
            s => name = Some(s.to_owned()),
        }
        i += 1;
    }
    match name {
        Some(n) => create_group(sh, io, "groupadd", &n, gid, system, false),
        None => {
            io.eprint("Usage: groupadd [options] GROUP\n");
            2
        }
    }
}
