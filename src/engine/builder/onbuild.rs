//! ONBUILD triggers: the instructions a base image stored in its config,
//! which a build that starts from it runs first, in order (recorded: our 65).

use crate::dockerfile::analyzer::{Command, Stage};
use crate::dockerfile::compile;

/// The triggers as commands of `stage`, placed at its FROM line (they have
/// no line of their own in this Dockerfile). A trigger is a single
/// instruction: it is read as the one command of a stage of its own.
pub fn trigger_commands(triggers: &[String], stage: &Stage) -> Result<Vec<Command>, String> {
    triggers
        .iter()
        .map(|trigger| {
            let compiled = compile::compile(&format!("FROM scratch\n{trigger}\n"));
            let (_, plan) = compiled.parsed().map_err(|d| {
                format!(
                    "failed to process ONBUILD trigger {trigger:?}: {}",
                    d.message()
                )
            })?;
            if let Some(d) = plan.errors().next() {
                return Err(format!(
                    "failed to process ONBUILD trigger {trigger:?}: {}",
                    d.message()
                ));
            }
            let mut cmd = plan
                .stages
                .first()
                .and_then(|s| s.commands.first())
                .cloned()
                .ok_or_else(|| format!("empty ONBUILD trigger {trigger:?}"))?;
            cmd.instruction = stage.instruction;
            cmd.span = stage.span;
            Ok(cmd)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stage() -> Stage {
        let compiled = compile::compile("FROM busybox\nRUN true\n");
        compiled.parsed().unwrap().1.stages[0].clone()
    }

    #[test]
    fn triggers_become_commands_at_the_from_line() {
        let cmds = trigger_commands(
            &["RUN echo hi".to_string(), "ENV A=b".to_string()],
            &stage(),
        )
        .unwrap();
        assert_eq!(cmds.len(), 2);
        assert_eq!(cmds[0].text, "RUN echo hi");
        assert_eq!(cmds[0].span.line, 1);
        assert_eq!(cmds[1].keyword(), crate::dockerfile::Keyword::Env);
    }

    #[test]
    fn a_build_from_a_tagged_image_runs_its_triggers_and_drops_them() {
        use crate::engine::builder::{build, BuildOptions};
        use crate::engine::context::{read_dockerignore, ContextSnapshot, StatCache};
        use crate::engine::store::EngineState;
        let dir = tempfile::tempdir().unwrap();
        let ignore = read_dockerignore(dir.path()).unwrap();
        let snap =
            ContextSnapshot::capture(dir.path(), &ignore, &mut StatCache::default()).unwrap();
        let mut state = EngineState::default();
        let tagged = |tag: &str| BuildOptions {
            tags: vec![tag.to_string()],
            ..BuildOptions::default()
        };
        let base = "FROM scratch\nONBUILD ENV FIRST=1\nONBUILD ENV SECOND=$FIRST-2\n";
        build(&mut state, base, &snap, &tagged("base:1")).unwrap();
        let stored = &state.image("base:1").unwrap().config;
        assert_eq!(stored.on_build, ["ENV FIRST=1", "ENV SECOND=$FIRST-2"]);
        build(
            &mut state,
            "FROM base:1\nLABEL a=b\n",
            &snap,
            &tagged("app:1"),
        )
        .unwrap();
        let app = &state.image("app:1").unwrap().config;
        assert!(app.on_build.is_empty());
        // In order: the second trigger sees what the first set.
        assert!(
            app.env.contains(&("SECOND".into(), "1-2".into())),
            "{:?}",
            app.env
        );
    }

    #[test]
    fn a_broken_trigger_is_an_error() {
        assert!(trigger_commands(&["COPY".to_string()], &stage()).is_err());
    }
}
