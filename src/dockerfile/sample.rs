//! A deterministic generator of large, realistic Dockerfiles, for the parser
//! benchmark and for comparing against BuildKit's parser on the same text.

/// A Dockerfile with exactly `n` instructions (comment lines and heredoc
/// bodies are extra), mixing what real files contain: multi-stage FROMs, RUN
/// with line continuations (and comments inside them), exec-form RUN/CMD,
/// COPY with flags, ENV in both forms, ARG, LABEL, heredocs (quoted and
/// not), and comments. The same `n` always gives the same text.
pub fn generate_dockerfile(n: usize) -> String {
    let mut out = String::with_capacity(n * 80);
    let mut rng = SplitMix(0x1a7e_1ab5);
    out.push_str("# syntax=docker/dockerfile:1\n# A generated Dockerfile for benchmarks.\n");
    for i in 0..n {
        // Every 500 instructions a new build stage, so stage handling is
        // exercised; stage 0 is the first instruction.
        if i % 500 == 0 {
            let stage = i / 500;
            out.push_str(&format!(
                "\nFROM --platform=$BUILDPLATFORM debian:12-slim AS stage{stage}\n"
            ));
            continue;
        }
        if rng.below(4) == 0 {
            out.push_str(&format!("# step {i}: {}\n", WORDS[rng.below(WORDS.len())]));
        }
        let pick = rng.below(100);
        let k = i;
        match pick {
            0..=21 => {
                let pkgs = rng.words(3);
                out.push_str(&format!(
                    "RUN apt-get update \\\n    && apt-get install -y --no-install-recommends {pkgs} \\\n    # keep the image small\n    && rm -rf /var/lib/apt/lists/*\n"
                ));
            }
            22..=29 => out.push_str(&format!(
                "RUN --mount=type=cache,target=/root/.cache pip install -r requirements-{k}.txt \\\n && echo done-{k}\n"
            )),
            30..=35 => out.push_str(&format!("RUN [\"/bin/sh\", \"-c\", \"echo step {k} > /tmp/{k}.txt\"]\n")),
            36..=49 => {
                let src = WORDS[rng.below(WORDS.len())];
                out.push_str(&format!(
                    "COPY --chown=app:app --chmod=0644 src/{src}/file{k}.txt lib/{src}/ /app/{src}/\n"
                ));
            }
            50..=53 => out.push_str(&format!(
                "COPY --from=stage0 --link /out/bin{k} /usr/local/bin/tool{k}\n"
            )),
            54..=63 => out.push_str(&format!(
                "ENV APP_HOME=/app/{k} PATH=\"/app/{k}/bin:$PATH\" MESSAGE=\"hello world {k}\"\n"
            )),
            64..=66 => out.push_str(&format!("ENV LEGACY_{k} value with spaces {k}\n")),
            67..=73 => out.push_str(&format!("ARG VERSION_{k}=1.{k}.0\n")),
            74..=79 => out.push_str(&format!(
                "LABEL org.opencontainers.image.version=\"1.{k}\" com.example.step={k} description=\"step {k} of the build\"\n"
            )),
            80..=84 => {
                let words = rng.words(2);
                out.push_str(&format!(
                    "RUN <<EOF\nset -eu\necho \"building {k}\" {words}\nmkdir -p /opt/{k}\nEOF\n"
                ));
            }
            85..=87 => out.push_str(&format!(
                "COPY <<'CONF' /etc/app/{k}.conf\nname = \"step {k}\"\npath = $HOME/{k}\nCONF\n"
            )),
            88..=90 => out.push_str(&format!("WORKDIR /app/dir{k}\n")),
            91..=92 => out.push_str(&format!("EXPOSE {}/tcp {}/udp\n", 1000 + k % 9000, 2000 + k % 9000)),
            93 => out.push_str("USER app:app\n"),
            94 => out.push_str(&format!("CMD [\"/app/bin/server\", \"--port\", \"{k}\"]\n")),
            95 => out.push_str(&format!("ENTRYPOINT /usr/local/bin/entry{k}.sh --verbose\n")),
            96 => out.push_str(&format!(
                "HEALTHCHECK --interval=30s --timeout=3s CMD curl -f http://localhost:{k}/ || exit 1\n"
            )),
            97 => out.push_str(&format!("VOLUME [\"/data/{k}\", \"/logs/{k}\"]\n")),
            98 => out.push_str(&format!("ADD --checksum=sha256:{:064x} https://example.com/a{k}.tar.gz /tmp/\n", k)),
            _ => out.push_str(&format!("ONBUILD RUN echo onbuild {k}\n")),
        }
    }
    out
}

const WORDS: [&str; 12] = [
    "curl",
    "git",
    "ca-certificates",
    "python3",
    "build-essential",
    "libssl-dev",
    "zlib1g-dev",
    "make",
    "unzip",
    "jq",
    "tini",
    "locales",
];

/// SplitMix64: tiny, fast and good enough to vary the mix reproducibly.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` is small, so modulo bias does not matter).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn words(&mut self, count: usize) -> String {
        (0..count)
            .map(|_| WORDS[self.below(WORDS.len())])
            .collect::<Vec<_>>()
            .join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_deterministic() {
        assert_eq!(generate_dockerfile(300), generate_dockerfile(300));
    }

    #[test]
    fn has_the_requested_number_of_instructions() {
        // Count instruction starts: lines that begin a keyword outside
        // continuations and heredoc bodies.
        let text = generate_dockerfile(2000);
        let mut count = 0;
        let mut continued = false;
        let mut heredoc_end: Option<&str> = None;
        for line in text.lines() {
            if let Some(end) = heredoc_end {
                if line == end {
                    heredoc_end = None;
                }
                continue;
            }
            let starts_instruction = !continued && !line.starts_with('#') && !line.is_empty();
            if starts_instruction {
                count += 1;
            }
            if line.contains("<<EOF") {
                heredoc_end = Some("EOF");
            } else if line.contains("<<'CONF'") {
                heredoc_end = Some("CONF");
            }
            if !line.trim_start().starts_with('#') {
                continued = line.ends_with('\\');
            }
        }
        assert_eq!(count, 2000);
    }

    #[test]
    fn mixes_every_kind_of_line() {
        let text = generate_dockerfile(2000);
        for needle in [
            "FROM --platform",
            "RUN apt-get",
            " \\\n",
            "    # keep",
            "RUN [",
            "COPY --chown",
            "COPY --from",
            "ENV APP_HOME",
            "ENV LEGACY_",
            "ARG ",
            "LABEL ",
            "RUN <<EOF",
            "COPY <<'CONF'",
            "WORKDIR",
            "EXPOSE",
            "USER",
            "CMD [",
            "ENTRYPOINT",
            "HEALTHCHECK",
            "VOLUME",
            "ADD --checksum",
            "ONBUILD",
            "\n# step",
        ] {
            assert!(text.contains(needle), "missing {needle:?}");
        }
    }
}
