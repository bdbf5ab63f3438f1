//! The real engine side by side, offline: docker's recorded build output
//! (tests/fixtures/engine-output, recorded on the CI daemon with both
//! builders) read into per-step verdicts, and layerlab's builds of the same
//! Dockerfiles compared with them step by step.

use crate::support::layerlab::busybox_rootfs;
use layerlab::engine::builder::{self, BuildOptions, BuilderKind};
use layerlab::engine::context::{read_dockerignore, ContextSnapshot, StatCache};
use layerlab::engine::oracle::{self, EngineRun, EngineSide, EngineVerdict};
use layerlab::engine::report::BuildReport;
use layerlab::engine::store::EngineState;
use layerlab::messages::Lang;
use std::path::PathBuf;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/engine-output")
}

fn fixture(name: &str) -> String {
    let path = fixtures().join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn mode(builder: BuilderKind) -> &'static str {
    builder.name()
}

/// "R" rebuilt / "C" cached per non-FROM step, as docker printed them.
fn flags(steps: &[oracle::progress::EngineStep]) -> String {
    steps
        .iter()
        .filter(|s| s.keyword != "FROM")
        .map(|s| match (s.cached, s.error) {
            (_, true) => 'E',
            (true, _) => 'C',
            (false, _) => 'R',
        })
        .collect()
}

fn parse(name: &str, builder: BuilderKind, stages: &[String]) -> Vec<oracle::progress::EngineStep> {
    let text = fixture(name);
    match builder {
        BuilderKind::Buildkit => oracle::progress::parse_buildkit(&text, stages),
        BuilderKind::Classic => oracle::progress::parse_classic(&text, stages),
    }
}

#[test]
fn recorded_outputs_read_as_the_builders_printed_them() {
    let stages = ["builder".to_string(), "stage-1".to_string()];
    // (fixture, builder, expected flags): the recordings' own words, read by eye
    let cases = [
        ("single-classic-1.txt", BuilderKind::Classic, "RRRRR"),
        ("single-classic-2.txt", BuilderKind::Classic, "CCCCC"),
        ("single-classic-3.txt", BuilderKind::Classic, "CCRRR"),
        ("single-buildkit-1.txt", BuilderKind::Buildkit, "RRR"),
        ("single-buildkit-2.txt", BuilderKind::Buildkit, "CCC"),
        ("single-buildkit-3.txt", BuilderKind::Buildkit, "CRR"),
        ("multi-classic-1.txt", BuilderKind::Classic, "RRRRR"),
        ("multi-classic-2.txt", BuilderKind::Classic, "CCCCC"),
        ("multi-classic-3.txt", BuilderKind::Classic, "CRRRR"),
        ("multi-buildkit-1.txt", BuilderKind::Buildkit, "RRRR"),
        ("multi-buildkit-2.txt", BuilderKind::Buildkit, "CCCC"),
        ("multi-buildkit-3.txt", BuilderKind::Buildkit, "CRRR"),
        ("fail-classic.txt", BuilderKind::Classic, "RR"),
        ("fail-buildkit.txt", BuilderKind::Buildkit, "RE"),
    ];
    for (name, builder, want) in cases {
        let steps = parse(name, builder, &stages);
        assert_eq!(flags(&steps), want, "{name}");
    }
    // BuildKit lists the stages' steps out of order and the second stage's
    // FROM under the first's label: read back in stage order
    let multi = parse("multi-buildkit-3.txt", BuilderKind::Buildkit, &stages);
    let order: Vec<String> = multi
        .iter()
        .map(|s| format!("{} {}", s.stage.as_deref().unwrap_or("-"), s.step))
        .collect();
    assert_eq!(
        order,
        [
            "builder 1",
            "builder 2",
            "builder 3",
            "builder 4",
            "stage-1 2"
        ]
    );
    assert_eq!(multi[4].text, "COPY --from=builder /src/b.txt /b.txt");
    let classic = parse("multi-classic-3.txt", BuilderKind::Classic, &stages);
    assert_eq!(classic[5].stage.as_deref(), Some("stage-1"));
    assert_eq!(classic[6].text, "CMD [\"cat\", \"/b.txt\"]");
}

/// Layerlab's three builds of a fixture's Dockerfile, as the recordings
/// made them: `--no-cache`, again, and after the file changed to v2.
fn layerlab_builds(dockerfile: &str, file: &str, builder: BuilderKind) -> Vec<BuildReport> {
    let base = busybox_rootfs().unwrap_or_else(|e| panic!("{e}"));
    let mut state = EngineState::default();
    layerlab::engine::import::import_tar(&mut state, base.as_slice(), "busybox:latest")
        .expect("import");
    let dir = tempfile::tempdir().expect("tempdir");
    let text = fixture(dockerfile);
    let mut stat = StatCache::default();
    let mut out = Vec::new();
    for (content, no_cache) in [("v1\n", true), ("v1\n", false), ("v2\n", false)] {
        std::fs::write(dir.path().join(file), content).expect("write");
        let ignore = read_dockerignore(dir.path()).expect("ignore");
        let snapshot = ContextSnapshot::capture(dir.path(), &ignore, &mut stat).expect("snap");
        let opts = BuildOptions {
            builder,
            no_cache,
            ..BuildOptions::default()
        };
        out.push(builder::build(&mut state, &text, &snapshot, &opts).expect("build"));
    }
    out
}

#[test]
fn layerlab_agrees_with_the_recorded_engine_on_both_builders() {
    for builder in [BuilderKind::Classic, BuilderKind::Buildkit] {
        for (name, file) in [("single", "app.txt"), ("multi", "a.txt")] {
            let reports = layerlab_builds(&format!("{name}.Dockerfile"), file, builder);
            for (i, report) in reports.iter().enumerate() {
                let recorded = format!("{name}-{}-{}.txt", mode(builder), i + 1);
                let side = EngineSide::new(
                    EngineRun::Built {
                        host: "unix:///recorded".into(),
                        exit_code: 0,
                        output: fixture(&recorded),
                    },
                    builder,
                    &report.steps,
                    false,
                );
                let c = side.comparison.as_ref().expect("compared");
                assert!(
                    c.agrees(),
                    "{recorded}: {:?}\n{}",
                    c,
                    side.summary().render(Lang::En)
                );
                assert_eq!(c.steps.len(), report.steps.len());
                assert_eq!(
                    side.summary().render(Lang::En),
                    "docker agrees on every step"
                );
            }
        }
    }
}

#[test]
fn a_step_docker_cached_and_layerlab_rebuilt_is_marked_with_its_number() {
    // layerlab's third build (WORKDIR hit, COPY and RUN rebuilt) against
    // docker's second (all cached): steps 3 and 4 differ
    let reports = layerlab_builds("single.Dockerfile", "app.txt", BuilderKind::Buildkit);
    let ours = &reports[2];
    let side = EngineSide::new(
        EngineRun::Built {
            host: "h".into(),
            exit_code: 0,
            output: fixture("single-buildkit-2.txt"),
        },
        BuilderKind::Buildkit,
        &ours.steps,
        false,
    );
    let c = side.comparison.as_ref().expect("compared");
    let marks: Vec<(usize, EngineVerdict, bool)> = ours
        .steps
        .iter()
        .zip(&c.steps)
        .map(|(s, c)| (s.step, c.verdict, c.differs))
        .collect();
    assert_eq!(
        marks,
        [
            (1, EngineVerdict::Base, false),
            (2, EngineVerdict::Cached, false),
            (3, EngineVerdict::Cached, true),
            (4, EngineVerdict::Cached, true),
        ]
    );
    assert!(side.differs());
    assert_eq!(
        side.summary().render(Lang::En),
        "docker differs at step 3 (2 differ)"
    );
    let line = oracle::step_line(&ours.steps[2], &c.steps[2]).render(Lang::En);
    assert_eq!(
        line,
        "≠ [3/4] COPY app.txt . — layerlab MISS, docker cached  ← differs"
    );
    let ko = oracle::step_line(&ours.steps[1], &c.steps[1]).render(Lang::Ko);
    assert_eq!(ko, "= [2/4] WORKDIR /app — layerlab HIT, docker 캐시 사용");
}

#[test]
fn a_failed_run_agrees_and_steps_docker_never_reached_differ() {
    let base = busybox_rootfs().unwrap_or_else(|e| panic!("{e}"));
    for builder in [BuilderKind::Classic, BuilderKind::Buildkit] {
        let mut state = EngineState::default();
        layerlab::engine::import::import_tar(&mut state, base.as_slice(), "busybox:latest")
            .expect("import");
        let dir = tempfile::tempdir().expect("tempdir");
        let snapshot = ContextSnapshot::capture(
            dir.path(),
            &read_dockerignore(dir.path()).expect("ignore"),
            &mut StatCache::default(),
        )
        .expect("snapshot");
        let opts = BuildOptions {
            builder,
            ..BuildOptions::default()
        };
        let failed = builder::build(&mut state, &fixture("fail.Dockerfile"), &snapshot, &opts)
            .expect_err("the RUN exits 3");
        let side = EngineSide::new(
            EngineRun::Built {
                host: "h".into(),
                exit_code: 1,
                output: fixture(&format!("fail-{}.txt", mode(builder))),
            },
            builder,
            &failed.steps,
            false,
        );
        let c = side.comparison.as_ref().expect("compared");
        assert!(c.agrees(), "{builder:?}: {c:?}");
        let last = c.steps.last().expect("steps").verdict;
        let want = match builder {
            BuilderKind::Buildkit => EngineVerdict::Failed,
            BuilderKind::Classic => EngineVerdict::Rebuilt,
        };
        assert_eq!(last, want);
    }
    // docker's output cut off after step 4 of 6: steps 5 and 6 were not run
    let reports = layerlab_builds("single.Dockerfile", "app.txt", BuilderKind::Classic);
    let full = fixture("single-classic-1.txt");
    let cut = &full[..full.find("Step 5/6").expect("step 5")];
    let side = EngineSide::new(
        EngineRun::Built {
            host: "h".into(),
            exit_code: 137,
            output: cut.to_string(),
        },
        BuilderKind::Classic,
        &reports[0].steps,
        false,
    );
    let c = side.comparison.expect("compared");
    let verdicts: Vec<(EngineVerdict, bool)> =
        c.steps.iter().map(|s| (s.verdict, s.differs)).collect();
    assert_eq!(
        verdicts[3..],
        [
            (EngineVerdict::Rebuilt, false),
            (EngineVerdict::NotRun, true),
            (EngineVerdict::NotRun, true),
        ]
    );
}

#[test]
fn the_unreachable_daemon_and_simulated_changes_say_so_in_one_line() {
    let side = EngineSide::new(
        EngineRun::Unreachable {
            host: "unix:///nowhere.sock".into(),
            why: layerlab::messages::Message::new("engine.why.no_socket")
                .arg("path", "/nowhere.sock"),
        },
        BuilderKind::Buildkit,
        &[],
        true,
    );
    assert!(side.comparison.is_none());
    assert!(!side.differs());
    for lang in Lang::ALL {
        let line = side.summary().try_render(lang).expect("catalog");
        assert!(!line.contains('\n'), "{line}");
        assert!(line.contains("unix:///nowhere.sock"), "{line}");
    }
    assert_eq!(
        side.summary().render(Lang::En),
        "docker: no daemon answers at unix:///nowhere.sock (/nowhere.sock does not exist); \
         layerlab's verdicts alone"
    );
    // the daemon built, but not what layerlab built: said on the same line
    let built = EngineSide::new(
        EngineRun::Built {
            host: "h".into(),
            exit_code: 0,
            output: String::new(),
        },
        BuilderKind::Buildkit,
        &[],
        true,
    );
    assert_eq!(
        built.summary().render(Lang::En),
        "docker agrees on every step · the daemon built the files on disk, not the simulated changes"
    );
}

/// The screen on the lecture's example after its first build (F5), with
/// `--engine docker` on: docker's answer is left to the test to give.
fn screen_with_engine(
    lang: Lang,
    size: (u16, u16),
) -> (layerlab::runtime::Session, tempfile::TempDir) {
    use layerlab::app::{Event, Key, KeyCode};
    let dir = tempfile::tempdir().expect("tempdir");
    let ctx = dir.path().join("web-ping");
    std::fs::create_dir(&ctx).expect("mkdir");
    layerlab::runtime::write_files(&ctx, layerlab::runtime::EXAMPLE).expect("example");
    let mut session = crate::support::tui::open(dir.path(), ctx, "web-ping/Dockerfile", lang);
    session.model.sandbox = true;
    session.model.size = size;
    session.model.engine = Some(layerlab::app::engine_view::EngineView::default());
    session.start();
    session.dispatch(Event::Key(Key::plain(KeyCode::F(5))));
    (session, dir)
}

/// What BuildKit would print for `steps`, with `cached` saying which (by
/// instruction keyword) it took from its cache.
fn buildkit_output(steps: &[layerlab::engine::report::StepReport], cached: &[&str]) -> String {
    let mut out =
        String::from("#1 [internal] load build definition from Dockerfile\n#1 DONE 0.0s\n");
    for (i, s) in steps.iter().enumerate() {
        let n = i + 2;
        out.push_str(&format!("#{n} [{}/{}] {}\n", s.step, s.of, s.text));
        if cached.contains(&s.keyword.as_str()) {
            out.push_str(&format!("#{n} CACHED\n"));
        } else {
            out.push_str(&format!("#{n} DONE 0.1s\n"));
        }
    }
    out
}

fn screen_buffer(session: &layerlab::runtime::Session) -> ratatui::buffer::Buffer {
    let (w, h) = session.model.size;
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).expect("term");
    t.draw(|f| layerlab::ui::draw(f, &session.model))
        .expect("draw");
    t.backend().buffer().clone()
}

/// The screen's rows as text, a wide (Korean) character once, not followed
/// by the cell it covers.
fn rows(b: &ratatui::buffer::Buffer) -> Vec<String> {
    (0..b.area.height)
        .map(|y| {
            let mut line = String::new();
            let mut skip = 0;
            for x in 0..b.area.width {
                if skip > 0 {
                    skip -= 1;
                    continue;
                }
                let sym = b[(x, y)].symbol();
                skip = unicode_width::UnicodeWidthStr::width(sym).saturating_sub(1);
                line.push_str(sym);
            }
            line
        })
        .collect()
}

#[test]
fn the_layer_pane_shows_dockers_verdict_beside_layerlabs_and_marks_the_difference() {
    use layerlab::app::model::Shown;
    use layerlab::app::Event;
    for (lang, size, title) in [
        (Lang::En, (120, 35), "docker differs at step 2"),
        (Lang::En, (80, 24), "docker differs at step 2"),
        (Lang::Ko, (100, 30), "2단계에서 docker와 다름"),
    ] {
        let (mut session, _dir) = screen_with_engine(lang, size);
        let view = session.model.build.clone().expect("the first build");
        let Shown::Build { number } = view.shown else {
            panic!("F5 built");
        };
        let engine = session.model.engine.clone().expect("engine on");
        assert_eq!(engine.build, Some(number), "docker was asked to build it");
        // still building: the title says so, the rows have no docker column
        let b = screen_buffer(&session);
        let before = rows(&b).join("\n");
        let running = if lang == Lang::Ko {
            "docker 빌드 중"
        } else {
            "docker building"
        };
        assert!(before.contains(running), "{before}");
        assert!(!before.contains("≠"), "{before}");
        // docker's answer: it had WORKDIR in its cache, layerlab (first
        // build) did not
        let steps = view.steps().to_vec();
        let fake = EngineSide::new(
            EngineRun::Built {
                host: "unix:///fake.sock".into(),
                exit_code: 0,
                output: buildkit_output(&steps, &["WORKDIR"]),
            },
            view.builder,
            &steps,
            false,
        );
        // an answer for another build is not this build's
        session.dispatch(Event::EngineDone(number + 1, Box::new(fake.clone())));
        assert!(session
            .model
            .engine
            .as_ref()
            .is_some_and(|e| e.side.is_none()));
        session.dispatch(Event::EngineDone(number, Box::new(fake)));
        let b = screen_buffer(&session);
        let all = rows(&b);
        let text = all.join("\n");
        let workdir = all
            .iter()
            .position(|r| r.contains("WORKDIR /w") && r.contains("MISS") && r.contains('≠'))
            .unwrap_or_else(|| {
                panic!("{lang:?} {size:?}: WORKDIR row with both verdicts:\n{text}")
            });
        assert!(all[workdir].contains("≠ HIT"), "{}", all[workdir]);
        let copy = all
            .iter()
            .position(|r| r.contains("COPY app.j") && r.contains("= MISS"))
            .unwrap_or_else(|| panic!("{lang:?} {size:?}: COPY row agreeing:\n{text}"));
        assert!(all[copy].contains("MISS"));
        assert!(
            text.contains(title),
            "{lang:?} {size:?}: title line:\n{text}"
        );
        // the key figure stays on screen beside it
        let figure = if lang == Lang::Ko {
            "다시 빌드"
        } else {
            "steps rebuilt"
        };
        assert!(text.contains(figure), "{lang:?} {size:?}:\n{text}");
        // the mark is bold, not colour alone
        let y = workdir as u16;
        let x = (0..b.area.width)
            .find(|&x| b[(x, y)].symbol() == "≠")
            .expect("mark");
        assert!(b[(x, y)].modifier.contains(ratatui::style::Modifier::BOLD));
        // the one line in the status bar
        let status = session.model.status.clone().unwrap_or_default();
        let line = if lang == Lang::Ko {
            "2단계부터 docker와 판정 다름"
        } else {
            "docker differs at step 2"
        };
        assert!(status.contains(line), "{status}");
    }
}
