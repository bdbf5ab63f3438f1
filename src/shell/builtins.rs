//! The builtins ash runs itself (`cd`, `set`, `export`, `read`, `exit`, …).
//! Builtins that are also applets (`echo`, `test`, `printf`, `pwd`, …)
//! live in [`super::commands`].

use super::interp::registry::Io;
use super::interp::{Flow, Shell, Status};
use super::parser;
use super::signals::{signal_number, terminates, SIGNALS, SIGTERM};
use crate::filesystem::rootfs::SEARCH;

impl Shell<'_, '_> {
    /// `/bin/sh: NAME: line N: MSG`, ash's wording for builtin errors.
    fn builtin_error(&mut self, name: &str, msg: &str) {
        let line = self.line;
        self.report(&format!("{name}: line {line}: {msg}"));
    }

    pub(crate) fn run_builtin(&mut self, argv: &[String]) -> Status {
        let name = argv[0].as_str();
        let args = &argv[1..];
        match name {
            "trap" => {
                self.trap(args);
                Ok(0)
            }
            ":" | "wait" | "hash" | "ulimit" | "times" | "jobs" | "alias" | "unalias" => Ok(0),
            "kill" => self.kill(args),
            "exit" => {
                let code = match args.first() {
                    None => self.status,
                    Some(a) => match a.parse::<i64>() {
                        Ok(n) if n >= 0 => (n & 0xff) as i32,
                        _ => {
                            self.builtin_error("exit", &format!("Illegal number: {a}"));
                            return Err(Flow::Exit(2));
                        }
                    },
                };
                Err(Flow::Exit(code))
            }
            "return" => {
                let code = args
                    .first()
                    .and_then(|a| a.parse::<i64>().ok())
                    .map_or(self.status, |n| (n & 0xff) as i32);
                if self.func_depth == 0 {
                    // At top level ash's `return` ends the script.
                    return Err(Flow::Exit(code));
                }
                Err(Flow::Return(code))
            }
            "break" | "continue" => {
                let n = args
                    .first()
                    .and_then(|a| a.parse::<usize>().ok())
                    .unwrap_or(1)
                    .max(1);
                if self.loop_depth == 0 {
                    return Ok(0);
                }
                let n = n.min(self.loop_depth);
                Err(if name == "break" {
                    Flow::Break(n)
                } else {
                    Flow::Continue(n)
                })
            }
            "export" | "readonly" | "local" => self.declare(name, args),
            "unset" => {
                let mut status = 0;
                for a in args.iter().filter(|a| !a.starts_with('-')) {
                    if let Err(msg) = self.unset_var(a) {
                        self.builtin_error("unset", &msg);
                        status = 1;
                    }
                    self.scope.functions.remove(a.as_str());
                }
                Ok(status)
            }
            "set" => self.set_builtin(args),
            "shift" => {
                let n = args
                    .first()
                    .and_then(|a| a.parse::<usize>().ok())
                    .unwrap_or(1);
                let pos = self.positional().to_vec();
                if n > pos.len() {
                    return Ok(1);
                }
                self.set_positional(pos[n..].to_vec());
                Ok(0)
            }
            "eval" => {
                let text = args.join(" ");
                match parser::parse(&text) {
                    Ok(p) => self.exec_program_here(&p),
                    Err(e) => Err(self.fatal(&e.message)),
                }
            }
            "." | "source" => {
                let Some(file) = args.first() else {
                    return Ok(0);
                };
                let path = if file.contains('/') {
                    self.abs(file)
                } else {
                    self.find_in_path(file).unwrap_or_else(|| self.abs(file))
                };
                let text = match self.fs().read_file(&path).map(|b| b.to_vec()) {
                    Ok(Ok(bytes)) => String::from_utf8_lossy(&bytes).into_owned(),
                    _ => {
                        self.builtin_error(
                            ".",
                            &format!("can't open '{file}': No such file or directory"),
                        );
                        return Err(Flow::Exit(2));
                    }
                };
                match parser::parse(&text) {
                    Ok(p) => self.exec_program_here(&p),
                    Err(e) => Err(self.fatal(&e.message)),
                }
            }
            "exec" => {
                if args.is_empty() {
                    return Ok(0);
                }
                let status = self.dispatch(args, &[])?;
                Err(Flow::Exit(status))
            }
            "cd" => self.cd(args),
            "read" => self.read_builtin(args),
            "umask" => {
                let mut io = Io::default();
                let status = match args.first() {
                    None => {
                        io.out = format!("{:04o}\n", self.umask()).into_bytes();
                        0
                    }
                    Some(m) => match u32::from_str_radix(m, 8) {
                        Ok(v) => {
                            self.set_umask(v);
                            0
                        }
                        Err(_) => {
                            self.builtin_error("umask", &format!("Illegal number: {m}"));
                            1
                        }
                    },
                };
                self.emit(&io)?;
                Ok(status)
            }
            "type" | "command" => self.type_builtin(name, args),
            "getopts" => Ok(1),
            _ => Ok(0),
        }
    }

    /// `kill [-SIG | -s SIG] PID…`. The processes that exist are the shells
    /// of this RUN: PID 1, and each `sh` started since (`$$` inside it).
    /// Linux delivers no signal to its namespace's PID 1 from inside the
    /// namespace unless PID 1 handles it (pid_namespaces(7)) — so `kill -9 $$`
    /// in the RUN's own shell does nothing, as in a real container; in an
    /// `sh` it started, the signal ends that shell and its parent sees
    /// 128 + the signal (`sh -c 'kill -9 $$'` gives 137, as Docker reports
    /// a step killed by SIGKILL).
    /// `trap ACTION EXIT` (or `0`) keeps what the shell runs as it ends;
    /// `trap - EXIT` or an empty action forgets it. Traps on signals
    /// change nothing here: no signal reaches a RUN.
    fn trap(&mut self, args: &[String]) {
        let [action, conditions @ ..] = args else {
            return;
        };
        if conditions.iter().any(|c| c == "EXIT" || c == "0") {
            self.scope.exit_trap = match action.as_str() {
                "-" | "" => None,
                a => Some(a.to_owned()),
            };
        }
    }

    fn kill(&mut self, args: &[String]) -> Status {
        let mut signal = SIGTERM;
        let mut rest = args;
        match rest.first().map(String::as_str) {
            Some("-l") => {
                let mut io = Io::default();
                let names: Vec<&str> = SIGNALS.iter().map(|(_, n, _)| *n).collect();
                io.out = format!("{}\n", names.join("\n")).into_bytes();
                self.emit(&io)?;
                return Ok(0);
            }
            Some("-s") => {
                let Some(name) = rest.get(1) else {
                    self.builtin_error("kill", "option requires an argument -- s");
                    return Ok(1);
                };
                match signal_number(name) {
                    Some(n) => signal = n,
                    None => {
                        self.builtin_error("kill", &format!("bad signal name '{name}'"));
                        return Ok(1);
                    }
                }
                rest = &rest[2..];
            }
            Some("--") => rest = &rest[1..],
            Some(a) if a.starts_with('-') && a.len() > 1 => {
                match signal_number(&a[1..]) {
                    Some(n) => signal = n,
                    None => {
                        self.builtin_error("kill", &format!("bad signal name '{}'", &a[1..]));
                        return Ok(1);
                    }
                }
                rest = &rest[1..];
            }
            _ => {}
        }
        if rest.is_empty() {
            self.builtin_error(
                "kill",
                "usage: kill [-s sigspec | -signum | -sigspec] pid...",
            );
            return Ok(1);
        }
        let mut status = 0;
        for target in rest {
            let pid = match target.parse::<i64>() {
                // 0: the process group, which here is this shell and its
                // parents; the nearest is the one that ends first.
                Ok(0) => self.scope.pid,
                Ok(p) if p > 0 && p <= i64::from(self.scope.pid) => p as u32,
                _ => {
                    self.builtin_error(
                        "kill",
                        &format!("can't kill pid {target}: No such process"),
                    );
                    status = 1;
                    continue;
                }
            };
            if pid == 1 || pid != self.scope.pid || !terminates(signal) {
                // PID 1 ignores it; an outer shell (only its waiting
                // parent) is not modelled as a target; and a signal whose
                // default is to be ignored or to stop changes nothing here.
                continue;
            }
            let code = 128 + signal;
            self.killed = Some((pid, code));
            return Err(Flow::Exit(code));
        }
        Ok(status)
    }

    fn declare(&mut self, name: &str, args: &[String]) -> Status {
        if name == "local" && self.locals.is_empty() {
            self.builtin_error(name, "not in a function");
            return Err(Flow::Exit(2));
        }
        let mut io = Io::default();
        let names: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
        if names.is_empty() {
            let mut vars: Vec<(String, String)> = self
                .scope
                .vars
                .iter()
                .filter(|v| {
                    if name == "readonly" {
                        v.readonly
                    } else {
                        v.exported
                    }
                })
                .map(|v| (v.name.clone(), v.value.clone()))
                .collect();
            vars.sort();
            for (k, v) in vars {
                io.out.extend_from_slice(
                    format!("{name} {k}='{}'\n", v.replace('\'', "'\"'\"'")).as_bytes(),
                );
            }
            self.emit(&io)?;
            return Ok(0);
        }
        for a in names {
            let (n, value) = match a.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (a.as_str(), None),
            };
            if !parser::is_name(n) {
                self.builtin_error(name, &format!("{n}: bad variable name"));
                return Err(Flow::Exit(2));
            }
            if name == "local" {
                // The first `local` of a name in a function saves what the
                // caller sees; return puts it back. Without a value the
                // variable keeps the caller's, as in ash.
                let prev = self.var_entry(n).cloned();
                if let Some(frame) = self.locals.last_mut() {
                    if !frame.iter().any(|(f, _)| f == n) {
                        frame.push((n.to_owned(), prev));
                    }
                }
            }
            if let Some(v) = value {
                if let Err(msg) = self.set_var(n, v) {
                    return Err(self.fatal(&msg));
                }
            } else if self.var_entry(n).is_none() && name != "local" {
                // `export X` marks a name that has no value yet.
                self.set_var_raw(n, "", false);
                self.scope
                    .vars
                    .retain(|v| !(v.name == n && v.value.is_empty()));
                self.scope.vars.push(super::interp::Var {
                    name: n.to_owned(),
                    value: String::new(),
                    exported: true,
                    readonly: false,
                });
                continue;
            }
            if let Some(v) = self.var_entry_mut(n) {
                match name {
                    "export" => v.exported = true,
                    "readonly" => v.readonly = true,
                    _ => {}
                }
            }
        }
        Ok(0)
    }

    fn set_builtin(&mut self, args: &[String]) -> Status {
        if args.is_empty() {
            let mut io = Io::default();
            let mut vars: Vec<(String, String)> = self
                .scope
                .vars
                .iter()
                .map(|v| (v.name.clone(), v.value.clone()))
                .collect();
            vars.sort();
            for (k, v) in vars {
                io.out.extend_from_slice(format!("{k}='{v}'\n").as_bytes());
            }
            self.emit(&io)?;
            return Ok(0);
        }
        let mut i = 0;
        while i < args.len() {
            let a = &args[i];
            if a == "--" {
                i += 1;
                self.set_positional(args[i..].to_vec());
                return Ok(0);
            }
            let (on, flags) = match a.as_bytes().first() {
                Some(b'-') => (true, &a[1..]),
                Some(b'+') => (false, &a[1..]),
                _ => {
                    self.set_positional(args[i..].to_vec());
                    return Ok(0);
                }
            };
            if flags == "o" {
                i += 1;
                let Some(opt) = args.get(i) else {
                    return Ok(0);
                };
                let o = self.options_mut();
                match opt.as_str() {
                    "errexit" => o.errexit = on,
                    "xtrace" => o.xtrace = on,
                    "pipefail" => o.pipefail = on,
                    "nounset" => o.nounset = on,
                    "noglob" => o.noglob = on,
                    _ => {
                        self.builtin_error("set", &format!("Illegal option -o {opt}"));
                        return Err(Flow::Exit(2));
                    }
                }
            } else {
                for f in flags.chars() {
                    let o = self.options_mut();
                    match f {
                        'e' => o.errexit = on,
                        'x' => o.xtrace = on,
                        'u' => o.nounset = on,
                        'f' => o.noglob = on,
                        'v' | 'h' | 'm' | 'C' | 'a' | 'b' | 'n' => {}
                        _ => {
                            self.builtin_error("set", &format!("Illegal option -{f}"));
                            return Err(Flow::Exit(2));
                        }
                    }
                }
            }
            i += 1;
        }
        Ok(0)
    }

    fn cd(&mut self, args: &[String]) -> Status {
        let args: Vec<&String> = args
            .iter()
            .filter(|a| !matches!(a.as_str(), "-L" | "-P"))
            .collect();
        let target = match args.first() {
            None => self.var("HOME").unwrap_or("/").to_owned(),
            Some(a) if a.as_str() == "-" => self.var("OLDPWD").unwrap_or("/").to_owned(),
            Some(a) => (*a).clone(),
        };
        let abs = self.abs(&target);
        let entered = self.fs().stat(&abs).and_then(|n| {
            // Entering a directory needs its search bit.
            if n.is_dir() {
                self.fs().check_use(&n, SEARCH, &abs)?;
            }
            Ok(n)
        });
        match entered {
            Ok(n) if n.is_dir() => {
                let clean = clean_path(&abs);
                let old = self.cwd().to_owned();
                self.set_var_raw("OLDPWD", &old, true);
                self.set_cwd(clean);
                Ok(0)
            }
            Ok(_) => {
                self.builtin_error("cd", &format!("can't cd to {target}: Not a directory"));
                Ok(2)
            }
            Err(e) => {
                self.builtin_error("cd", &format!("can't cd to {target}: {}", e.strerror()));
                Ok(2)
            }
        }
    }

    fn read_builtin(&mut self, args: &[String]) -> Status {
        let mut raw = false;
        let mut names = Vec::new();
        let mut iter = args.iter();
        while let Some(a) = iter.next() {
            match a.as_str() {
                "-r" => raw = true,
                "-p" | "-t" | "-n" | "-u" | "-d" => {
                    iter.next();
                }
                _ => names.push(a.clone()),
            }
        }
        if names.is_empty() {
            names.push("REPLY".to_owned());
        }
        let (data, pos) = self.stdin_bytes();
        let rest = &data[pos.min(data.len())..];
        if rest.is_empty() {
            for n in &names {
                let _ = self.set_var(n, "");
            }
            return Ok(1);
        }
        let (line, used, complete) = match rest.iter().position(|b| *b == b'\n') {
            Some(i) => (&rest[..i], i + 1, true),
            None => (rest, rest.len(), false),
        };
        let mut text = String::from_utf8_lossy(line).into_owned();
        if !raw {
            text = text.replace('\\', "");
        }
        self.stdin_consume(pos + used);
        let ifs = self.var("IFS").unwrap_or(" \t\n").to_owned();
        let mut rest_text = text.trim_start_matches(|c| ifs.contains(c)).to_owned();
        for (i, n) in names.iter().enumerate() {
            let value = if i + 1 == names.len() {
                rest_text.trim_end_matches(|c| ifs.contains(c)).to_owned()
            } else {
                let end = rest_text
                    .find(|c| ifs.contains(c))
                    .unwrap_or(rest_text.len());
                let v = rest_text[..end].to_owned();
                rest_text = rest_text[end..]
                    .trim_start_matches(|c| ifs.contains(c))
                    .to_owned();
                v
            };
            if let Err(msg) = self.set_var(n, &value) {
                return Err(self.fatal(&msg));
            }
        }
        Ok(if complete { 0 } else { 1 })
    }

    fn type_builtin(&mut self, name: &str, args: &[String]) -> Status {
        let mut io = Io::default();
        let (verbose_v, rest): (bool, Vec<&String>) = if name == "command" {
            match args.first().map(String::as_str) {
                // ash describes only the first name.
                Some("-v") => (true, args[1..].iter().take(1).collect()),
                Some("-V") => (false, args[1..].iter().take(1).collect()),
                _ => {
                    // `command NAME args`: run it, skipping functions.
                    if args.is_empty() {
                        return Ok(0);
                    }
                    return self.run_external_or_builtin(args);
                }
            }
        } else {
            (false, args.iter().collect())
        };
        let mut status = 0;
        for a in rest {
            let reg = self.registry();
            let found = if self.scope.functions.contains_key(a.as_str()) {
                Some((a.clone(), format!("{a} is a function")))
            } else if super::commands::is_shell_builtin(a) {
                Some((a.clone(), format!("{a} is a shell builtin")))
            } else if self.busybox_shell() && reg.is_busybox_applet(a) {
                // Busybox's standalone shell prefers its applets to PATH.
                Some((a.clone(), format!("{a} is {a}")))
            } else {
                self.find_in_path(a)
                    .map(|p| (p.clone(), format!("{a} is {p}")))
            };
            match found {
                Some((short, long)) => {
                    let text = if verbose_v { short } else { long };
                    io.out.extend_from_slice(text.as_bytes());
                    io.out.push(b'\n');
                }
                None => {
                    // ash says so on stdout, and both forms give 127.
                    status = 127;
                    if !verbose_v {
                        io.out
                            .extend_from_slice(format!("{a}: not found\n").as_bytes());
                    }
                }
            }
            if verbose_v && status != 0 {
                break;
            }
        }
        self.emit(&io)?;
        Ok(status)
    }

    fn run_external_or_builtin(&mut self, args: &[String]) -> Status {
        if super::commands::is_shell_builtin(&args[0]) {
            return self.dispatch(args, &[]);
        }
        self.run_external(args, &[])
    }
}

/// `a/b/../c/./` → `/a/c`, lexically (for `$PWD` after `cd`).
pub(crate) fn clean_path(p: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for c in p.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    format!("/{}", out.join("/"))
}
