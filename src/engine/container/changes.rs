//! `docker commit --change`: Dockerfile instructions applied to the
//! committed image's config, as moby's `BuildFromConfig` applies them. Only
//! the instructions that change the config are accepted; any other is
//! refused with the daemon's `… is not a valid change command`.

use super::ContainerError;
use crate::dockerfile::analyzer::ShellOrExec;
use crate::dockerfile::{Instruction, Keyword};
use crate::engine::store::RunConfig;

/// Apply `changes` (one instruction each) to `config`. On any error the
/// config is left as it was.
pub fn apply_changes(config: &RunConfig, changes: &[String]) -> Result<RunConfig, ContainerError> {
    if changes.is_empty() {
        return Ok(config.clone());
    }
    let text = changes.join("\n");
    // moby checks every instruction's keyword before applying any.
    for line in text.lines() {
        let word = line.split_whitespace().next().unwrap_or("");
        if !word.is_empty() && !word.starts_with('#') && !valid(word) {
            return Err(ContainerError::InvalidChange(word.to_lowercase()));
        }
    }
    let parsed =
        crate::dockerfile::parse(&text).map_err(|d| ContainerError::BadChange(d.message()))?;
    let mut out = config.clone();
    // Within one commit, ENTRYPOINT drops CMD unless a CMD came first.
    let mut cmd_set = false;
    for ins in &parsed.instructions {
        apply(&mut out, ins, &mut cmd_set)?;
    }
    Ok(out)
}

fn valid(keyword: &str) -> bool {
    const VALID: [&str; 11] = [
        "cmd",
        "entrypoint",
        "healthcheck",
        "env",
        "expose",
        "label",
        "onbuild",
        "stopsignal",
        "user",
        "volume",
        "workdir",
    ];
    VALID.contains(&keyword.to_lowercase().as_str())
}

fn shell_or_exec(ins: &Instruction) -> ShellOrExec {
    let values: Vec<String> = ins.values().map(str::to_owned).collect();
    if ins.json {
        ShellOrExec::Exec(values)
    } else {
        ShellOrExec::Shell(values.join(" "))
    }
}

fn apply(out: &mut RunConfig, ins: &Instruction, cmd_set: &mut bool) -> Result<(), ContainerError> {
    let values: Vec<&str> = ins.values().collect();
    match ins.keyword {
        Keyword::Cmd => {
            out.cmd = Some(out.argv(&shell_or_exec(ins)));
            *cmd_set = true;
        }
        Keyword::Entrypoint => {
            out.entrypoint = Some(out.argv(&shell_or_exec(ins)));
            if !*cmd_set {
                out.cmd = None;
            }
        }
        Keyword::Env | Keyword::Label => {
            for pair in values.chunks(2) {
                let (k, v) = (pair[0], pair.get(1).copied().unwrap_or(""));
                if ins.keyword == Keyword::Env {
                    out.set_env(k, v);
                } else {
                    out.labels.insert(k.to_owned(), v.to_owned());
                }
            }
        }
        Keyword::Expose => values.iter().for_each(|p| out.expose(p)),
        Keyword::Volume => {
            for v in values.iter().filter(|v| !v.is_empty()) {
                out.volumes.insert((*v).to_owned());
            }
        }
        Keyword::User => out.user = values.join(" "),
        Keyword::Workdir => {
            let dir = values.join(" ");
            out.working_dir = if dir.starts_with('/') || out.working_dir.is_empty() {
                format!("/{}", dir.trim_start_matches('/'))
            } else {
                format!("{}/{dir}", out.working_dir.trim_end_matches('/'))
            };
        }
        Keyword::Stopsignal => out.stop_signal = values.first().map(|s| (*s).to_owned()),
        Keyword::Onbuild => {
            let trigger = ins.onbuild.as_deref().map(|i| i.original.clone());
            out.on_build.push(trigger.unwrap_or_default());
        }
        Keyword::Healthcheck => {
            return Err(ContainerError::BadChange(
                "layerlab: HEALTHCHECK in a commit change is not simulated".into(),
            ))
        }
        other => return Err(ContainerError::InvalidChange(other.as_str().to_owned())),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn changed(changes: &[&str]) -> Result<RunConfig, String> {
        let base = RunConfig {
            cmd: Some(vec!["sh".into()]),
            env: vec![("PATH".into(), "/bin".into())],
            ..RunConfig::default()
        };
        let changes: Vec<String> = changes.iter().map(|c| c.to_string()).collect();
        apply_changes(&base, &changes).map_err(|e| e.to_string())
    }

    #[test]
    fn each_accepted_instruction_changes_the_config() {
        let c = changed(&[
            r#"CMD ["node", "app.js"]"#,
            "ENV TARGET=www.daum.net METHOD=GET",
            "EXPOSE 80 443/udp",
            "LABEL maintainer=me",
            "USER node",
            "WORKDIR /app",
            "WORKDIR src",
            "VOLUME /data",
            "ONBUILD RUN echo hi",
            "STOPSIGNAL SIGINT",
        ])
        .expect("valid changes");
        assert_eq!(c.cmd, Some(vec!["node".to_string(), "app.js".to_string()]));
        assert_eq!(
            c.env_list(),
            vec!["PATH=/bin", "TARGET=www.daum.net", "METHOD=GET"]
        );
        assert!(c.exposed_ports.contains("80/tcp") && c.exposed_ports.contains("443/udp"));
        assert_eq!(c.labels.get("maintainer").map(String::as_str), Some("me"));
        assert_eq!(
            (c.user.as_str(), c.working_dir.as_str()),
            ("node", "/app/src")
        );
        assert!(c.volumes.contains("/data"));
        assert_eq!(c.on_build, vec!["RUN echo hi"]);
        assert_eq!(c.stop_signal.as_deref(), Some("SIGINT"));
    }

    #[test]
    fn shell_form_runs_in_sh_and_entrypoint_drops_cmd() {
        let c = changed(&["CMD node app.js"]).expect("cmd");
        assert_eq!(
            c.cmd,
            Some(vec!["/bin/sh".into(), "-c".into(), "node app.js".into()])
        );
        let c = changed(&[r#"ENTRYPOINT ["node"]"#]).expect("entrypoint");
        assert_eq!(
            (c.entrypoint, c.cmd),
            (Some(vec!["node".to_string()]), None)
        );
        let c = changed(&[r#"CMD ["a"]"#, r#"ENTRYPOINT ["b"]"#]).expect("both");
        assert_eq!(c.cmd, Some(vec!["a".to_string()]));
    }

    #[test]
    fn other_instructions_are_refused_in_the_daemons_words() {
        assert_eq!(
            changed(&["RUN echo hi"]),
            Err("run is not a valid change command".to_string())
        );
        assert_eq!(
            changed(&["CMD x", "COPY a b"]),
            Err("copy is not a valid change command".to_string())
        );
        assert_eq!(
            changed(&["FROBNICATE x"]),
            Err("frobnicate is not a valid change command".to_string())
        );
    }
}
