//! Users and groups as the image's `/etc/passwd` and `/etc/group` define
//! them: resolving Docker's `USER` spec, and the name lookups `ls -l`, `id`
//! and `chown` need.

use crate::filesystem::rootfs::RootFs;

/// Who a RUN step runs as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub uid: u32,
    pub gid: u32,
    /// The name given in `USER` or found in `/etc/passwd`.
    pub name: Option<String>,
    /// `$HOME`: the passwd entry's home, `/` when there is none (as runc sets it).
    pub home: String,
}

/// A `USER` spec that names a user or group the image does not have; the
/// text is the runtime's.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UserError {
    #[error("unable to find user {0}: no matching entries in passwd file")]
    NoUser(String),
    #[error("unable to find group {0}: no matching entries in group file")]
    NoGroup(String),
}

/// One line of `/etc/passwd`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PasswdEntry {
    pub name: String,
    pub uid: u32,
    pub gid: u32,
    pub gecos: String,
    pub home: String,
    pub shell: String,
}

/// One line of `/etc/group`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupEntry {
    pub name: String,
    pub gid: u32,
    pub members: Vec<String>,
}

impl User {
    pub fn root() -> Self {
        Self {
            uid: 0,
            gid: 0,
            name: Some("root".to_owned()),
            home: "/root".to_owned(),
        }
    }

    /// Resolves `USER name`, `USER uid`, `USER name:group`, `USER uid:gid`
    /// against the filesystem. A numeric uid needs no passwd entry (gid 0
    /// then, unless the entry says otherwise); a name does.
    pub fn resolve(spec: &str, fs: &RootFs) -> Result<User, UserError> {
        let (user, group) = match spec.split_once(':') {
            Some((u, g)) => (u, Some(g)),
            None => (spec, None),
        };
        let passwd = passwd(fs);
        let entry = match user.parse::<u32>() {
            Ok(uid) => passwd.iter().find(|e| e.uid == uid).cloned(),
            Err(_) => Some(
                passwd
                    .iter()
                    .find(|e| e.name == user)
                    .cloned()
                    .ok_or_else(|| UserError::NoUser(user.to_owned()))?,
            ),
        };
        let uid = entry
            .as_ref()
            .map_or_else(|| user.parse().unwrap_or(0), |e| e.uid);
        let gid = match group {
            Some(g) => match g.parse::<u32>() {
                Ok(gid) => gid,
                Err(_) => group_id(fs, g).ok_or_else(|| UserError::NoGroup(g.to_owned()))?,
            },
            None => entry.as_ref().map_or(0, |e| e.gid),
        };
        Ok(User {
            uid,
            gid,
            name: entry.as_ref().map(|e| e.name.clone()),
            home: entry.map_or_else(|| "/".to_owned(), |e| e.home),
        })
    }
}

fn read_text(fs: &RootFs, path: &str) -> String {
    fs.read_file(path)
        .ok()
        .and_then(|b| b.to_vec().ok())
        .map(|v| String::from_utf8_lossy(&v).into_owned())
        .unwrap_or_default()
}

/// The entries of `/etc/passwd` (none when it is missing).
pub fn passwd(fs: &RootFs) -> Vec<PasswdEntry> {
    read_text(fs, "/etc/passwd")
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split(':').collect();
            if f.len() < 7 {
                return None;
            }
            Some(PasswdEntry {
                name: f[0].to_owned(),
                uid: f[2].parse().ok()?,
                gid: f[3].parse().ok()?,
                gecos: f[4].to_owned(),
                home: f[5].to_owned(),
                shell: f[6].to_owned(),
            })
        })
        .collect()
}

/// `/etc/group` as text (empty when it is missing), for the applets that
/// rewrite it line by line.
pub fn group_text(fs: &RootFs) -> String {
    read_text(fs, "/etc/group")
}

/// The entries of `/etc/group` (none when it is missing).
/// The groups of /etc/group that list `user` (by name) as a member.
pub fn member_of(fs: &RootFs, user: &User) -> Vec<u32> {
    let name = user
        .name
        .clone()
        .or_else(|| user_name(fs, user.uid))
        .unwrap_or_default();
    if name.is_empty() {
        return Vec::new();
    }
    groups(fs)
        .into_iter()
        .filter(|g| g.members.contains(&name))
        .map(|g| g.gid)
        .collect()
}

pub fn groups(fs: &RootFs) -> Vec<GroupEntry> {
    group_text(fs)
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split(':').collect();
            if f.len() < 4 {
                return None;
            }
            Some(GroupEntry {
                name: f[0].to_owned(),
                gid: f[2].parse().ok()?,
                members: f[3]
                    .split(',')
                    .filter(|m| !m.is_empty())
                    .map(str::to_owned)
                    .collect(),
            })
        })
        .collect()
}

pub fn user_name(fs: &RootFs, uid: u32) -> Option<String> {
    passwd(fs)
        .into_iter()
        .find(|e| e.uid == uid)
        .map(|e| e.name)
}

pub fn group_id(fs: &RootFs, name: &str) -> Option<u32> {
    groups(fs)
        .into_iter()
        .find(|e| e.name == name)
        .map(|e| e.gid)
}

pub fn group_name(fs: &RootFs, gid: u32) -> Option<String> {
    groups(fs)
        .into_iter()
        .find(|e| e.gid == gid)
        .map(|e| e.name)
}
