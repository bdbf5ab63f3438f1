//! Instructions that only edit the image config (ENV, LABEL, ARG, USER,
//! CMD, …): applied to the stage, and the history text each builder writes
//! for them.

use super::*;

impl Run<'_> {
    /// Apply a metadata instruction to the stage's config and return its
    /// history text for this builder (`None`: not metadata, or no row, as
    /// for BuildKit's ONBUILD).
    pub(super) fn apply_metadata(
        &mut self,
        cmd: &Command,
        st: &mut StageState,
    ) -> Result<Option<String>, BuildError> {
        use crate::engine::history_text::{self as ht, MetadataInstruction as M};
        let shell_before = st.config.shell.clone().unwrap_or_default();
        let meta_args;
        let pairs_buf: Vec<(String, String)>;
        let words: Vec<String>;
        let health;
        let text_buf: String;
        let instruction = match &cmd.kind {
            CommandKind::Arg(decls) => {
                meta_args = self.arg(decls, st, cmd.span)?;
                M::Arg(&meta_args)
            }
            CommandKind::Env(pairs) | CommandKind::Label(pairs) => {
                let is_env = matches!(cmd.kind, CommandKind::Env(_));
                let mut out = Vec::new();
                // Every pair is expanded with the environment from before
                // the instruction, as both builders do (`ENV abc=bye
                // def=$abc` after `ENV abc=hello` gives def=hello, checked on
                // Docker 20.10); built once, since rebuilding it per pair
                // made one ENV of n pairs cost n³ (4,000 pairs took 49 s).
                let env = Self::word_env(st);
                for (k, v) in pairs {
                    let k = self.expand_in(k, &env, cmd.span)?;
                    let v = self.expand_in(v, &env, cmd.span)?;
                    if is_env {
                        st.config.set_env(&k, &v);
                    } else {
                        st.config.labels.insert(k.clone(), v.clone());
                    }
                    out.push((k, v));
                }
                pairs_buf = out;
                if is_env {
                    M::Env(&pairs_buf)
                } else {
                    M::Label(&pairs_buf)
                }
            }
            CommandKind::User(u) => {
                text_buf = self.expand(u, st, cmd.span)?;
                st.config.user = text_buf.clone();
                M::User(&text_buf)
            }
            CommandKind::Cmd(c) => {
                words = st.config.argv(c);
                // BuildKit writes the image config with the OCI type, whose
                // `omitempty` drops an empty list: `CMD []` inspects as null
                // there, as `[]` from the classic builder — which counts only
                // a CMD with words as set, so a later ENTRYPOINT drops `[]`
                // (moby's dispatchCmd; checked on dockerd 20.10: our 130).
                let omitted = words.is_empty() && self.opts.builder == BuilderKind::Buildkit;
                st.config.cmd = (!omitted).then(|| words.clone());
                st.cmd_set = !words.is_empty();
                M::Cmd(&words)
            }
            CommandKind::Entrypoint(c) => {
                words = st.config.argv(c);
                // The parser reads an empty ENTRYPOINT as none (moby's
                // parseShellDependentCommand, emptyAsNil), for both builders.
                st.config.entrypoint = (!words.is_empty()).then(|| words.clone());
                // Docker drops a CMD inherited from the base when ENTRYPOINT
                // is set, not one this stage set before it (a generated
                // scenario: `CMD ["sh"]` then ENTRYPOINT keeps Cmd).
                if !st.cmd_set {
                    st.config.cmd_reset_by_entrypoint();
                }
                M::Entrypoint(&words)
            }
            CommandKind::Expose(ports) => {
                let env = Self::word_env(st);
                let mut out = Vec::new();
                for p in ports {
                    match expand::expand_words(p, self.plan.escape, &env) {
                        Ok(w) => out.extend(w),
                        Err(e) => return Err(self.expand_failed(p, &e, cmd.span)),
                    }
                }
                if let Some(e) = out.iter().find_map(|w| config::check_port(w).err()) {
                    return Err(self.fail_before_solve(e, Some(cmd.span)));
                }
                for w in &out {
                    st.config.expose(w);
                }
                // The classic builder writes the words as written, sorted
                // as strings, repeats kept (checked on dockerd 20.10: `EXPOSE
                // 8080 80 80/tcp 443/UDP` is `EXPOSE 443/UDP 80 80/tcp 8080`;
                // recorded: 52, our 91).
                if self.opts.builder == BuilderKind::Classic {
                    out.sort();
                }
                words = out;
                M::Expose(&words)
            }
            CommandKind::Volume(vols) => {
                let mut out = Vec::new();
                for v in vols {
                    out.push(self.expand(v, st, cmd.span)?);
                }
                st.config.volumes.extend(out.iter().cloned());
                words = out;
                M::Volume(&words)
            }
            CommandKind::StopSignal(sig) => {
                text_buf = self.expand(sig, st, cmd.span)?;
                if let Err(e) = config::check_signal(&text_buf) {
                    return Err(self.fail_before_solve(e, Some(cmd.span)));
                }
                st.config.stop_signal = Some(text_buf.clone());
                M::StopSignal(&text_buf)
            }
            CommandKind::Healthcheck(h) => {
                health = match st.config.set_healthcheck(h) {
                    Ok(h) => h,
                    Err(m) => return Err(self.fail_before_solve(m, Some(cmd.span))),
                };
                M::Healthcheck(&health)
            }
            CommandKind::Shell(sh) => {
                st.config.shell = Some(sh.clone());
                M::Shell(sh)
            }
            CommandKind::Onbuild(t) => {
                st.config.on_build.push(t.clone());
                M::Onbuild(t)
            }
            CommandKind::Maintainer(m) => {
                text_buf = self.expand(m, st, cmd.span)?;
                M::Maintainer(&text_buf)
            }
            CommandKind::Run(_) | CommandKind::Copy(_) | CommandKind::Workdir(_) => {
                return Ok(None)
            }
        };
        Ok(match self.opts.builder {
            BuilderKind::Buildkit => ht::buildkit_metadata(self.opts.frontend, &instruction),
            BuilderKind::Classic => Some(ht::classic_metadata(&shell_before, &instruction)),
        })
    }

    /// Declare ARGs in the stage; returns them as the builder's history
    /// shows them: the effective value (BuildKit HEAD) or the Dockerfile's
    /// default as written (classic).
    pub(super) fn arg(
        &mut self,
        decls: &[ArgDecl],
        st: &mut StageState,
        span: Span,
    ) -> Result<Vec<(String, Option<String>)>, BuildError> {
        let globals = self.global_args();
        let mut shown = Vec::new();
        for d in decls {
            let default = match &d.default {
                Some(def) => Some(self.expand(def, st, span)?),
                None => None,
            };
            let value = match self.build_arg(&d.name) {
                Some(v) => Some(v.to_string()),
                // A bare ARG inside a stage inherits the global default.
                None => default
                    .clone()
                    .or_else(|| globals.get(&d.name).map(str::to_string)),
            };
            // BuildKit HEAD prints the value in effect; the classic
            // builder and Docker 20.10's BuildKit the default as written.
            let head = self.opts.builder == BuilderKind::Buildkit
                && self.opts.frontend == crate::engine::history_text::BuildkitFrontend::Head;
            let explicit = d.default.is_some() || self.build_arg(&d.name).is_some();
            shown.push(if head {
                (d.name.clone(), value.clone().filter(|_| explicit))
            } else {
                (d.name.clone(), d.default.clone())
            });
            st.args.retain(|(k, _)| k != &d.name);
            st.args.push((d.name.clone(), value));
            if !st.arg_names.contains(&d.name) {
                st.arg_names.push(d.name.clone());
            }
        }
        Ok(shown)
    }
}
