//! A step's goal: a few facts about the engine's store and the last build
//! report, all of which must hold. Goals are data (a table in
//! `lesson.toml`), so the checker, the screen's goal view and an author's
//! `lesson check` read the same thing.

use crate::engine::report::BuildReport;
use crate::engine::store::{EngineState, ImageRecord};
use crate::filesystem::rootfs::{Change, Node, NodeKind};
use crate::messages::Lang;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Every field is one condition; a field left out is not checked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Goal {
    /// An image with this name (a tag; `:latest` when none) exists.
    #[serde(default)]
    pub image_exists: Option<String>,
    /// The last build ran under this builder: `classic` or `buildkit`.
    #[serde(default)]
    pub builder: Option<Builder>,
    /// The last build rebuilt (missed) at most this many steps; with
    /// `after_change`, counted on a rebuild after that change instead.
    #[serde(default)]
    pub max_rebuilt: Option<usize>,
    /// A context file to change before counting `max_rebuilt`: the checker
    /// previews the rebuild on a copy of the engine, so nothing is written.
    #[serde(default)]
    pub after_change: Option<String>,
    /// Instructions (keywords) the last build's Dockerfile uses.
    #[serde(default)]
    pub instructions: Vec<String>,
    /// At most so many instructions of a keyword (`ENV = 1`).
    #[serde(default)]
    pub max_instructions: BTreeMap<String, usize>,
    /// The last built image has at most this many layers.
    #[serde(default)]
    pub max_layers: Option<usize>,
    /// No layer of the last built image stores bytes a later layer
    /// overwrites or removes (clean up in the same RUN that downloads).
    #[serde(default)]
    pub no_wasted_bytes: bool,
    /// Facts about one image.
    #[serde(default)]
    pub image: Option<ImageGoal>,
    /// A container with this name exists, made from this image.
    #[serde(default)]
    pub container: Option<ContainerGoal>,
    /// `docker system df` counts less than the sum of `docker image ls`:
    /// images share layers.
    #[serde(default)]
    pub system_df_less_than_image_ls: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Builder {
    Classic,
    Buildkit,
}

impl Builder {
    pub fn name(self) -> &'static str {
        match self {
            Builder::Classic => "classic",
            Builder::Buildkit => "buildkit",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImageGoal {
    pub name: String,
    /// `KEY=value` entries its config's environment holds.
    #[serde(default)]
    pub env: Vec<String>,
    #[serde(default)]
    pub workdir: Option<String>,
    #[serde(default)]
    pub cmd: Option<Vec<String>>,
    /// Its newest layer adds these paths (a commit of a container that
    /// wrote them, or a COPY).
    #[serde(default)]
    pub top_layer_adds: Vec<String>,
    /// `docker image history` shows at least this many rows.
    #[serde(default)]
    pub min_history: Option<usize>,
    /// Paths its filesystem does not hold (a multi-stage build leaves its
    /// build stage's files behind).
    #[serde(default)]
    pub lacks: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContainerGoal {
    pub name: String,
    #[serde(default)]
    pub image: Option<String>,
    /// `KEY=value` entries its environment holds.
    #[serde(default)]
    pub env: Vec<String>,
}

/// What a goal is checked against. `play::Playground` implements it; the
/// screen implements it over its own engine.
pub trait World {
    fn engine(&self) -> &EngineState;
    fn last_build(&self) -> Option<&BuildReport>;
    /// The report of rebuilding the current Dockerfile after a change to
    /// `path` (its content with a line added), under the last build's
    /// builder, without changing the engine.
    fn preview_after_change(&self, path: &str) -> Result<BuildReport, String>;
}

/// One condition that does not hold, as data the screen can render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unmet {
    NoBuild,
    NoImage(String),
    Builder {
        want: Builder,
        got: String,
    },
    Rebuilt {
        max: usize,
        got: usize,
        after: Option<String>,
    },
    Preview(String),
    MissingInstruction(String),
    TooManyInstructions {
        keyword: String,
        max: usize,
        got: usize,
    },
    TooManyLayers {
        max: usize,
        got: usize,
    },
    ImageEnv {
        image: String,
        entry: String,
    },
    ImageWorkdir {
        image: String,
        want: String,
        got: String,
    },
    ImageCmd {
        image: String,
        want: Vec<String>,
    },
    TopLayer {
        image: String,
        path: String,
    },
    History {
        image: String,
        min: usize,
        got: usize,
    },
    Wasted(u64),
    Holds {
        image: String,
        path: String,
    },
    NoContainer(String),
    ContainerImage {
        name: String,
        want: String,
    },
    ContainerEnv {
        name: String,
        entry: String,
    },
    NotShared {
        df: u64,
        ls: u64,
    },
}

impl Unmet {
    pub fn message(&self, lang: Lang) -> String {
        let ko = lang == Lang::Ko;
        match self {
            Unmet::NoBuild if ko => "아직 빌드하지 않았습니다.".into(),
            Unmet::NoBuild => "nothing built yet.".into(),
            Unmet::NoImage(n) if ko => format!("{n} 이미지가 없습니다."),
            Unmet::NoImage(n) => format!("there is no image {n}."),
            Unmet::Builder { want, got } if ko => {
                format!("마지막 빌드의 빌더: {got} (필요: {})", want.name())
            }
            Unmet::Builder { want, got } => {
                format!("the last build used {got}, not {}.", want.name())
            }
            Unmet::Rebuilt { max, got, after } => match (after, ko) {
                (Some(f), true) => {
                    format!("{f}을(를) 바꾸면 {got}단계를 다시 빌드함 (목표: {max}단계 이하)")
                }
                (Some(f), false) => {
                    format!("changing {f} rebuilds {got} steps (at most {max} wanted).")
                }
                (None, true) => format!("{got}단계를 다시 빌드함 (목표: {max}단계 이하)"),
                (None, false) => format!("the last build rebuilt {got} steps (at most {max})."),
            },
            Unmet::Preview(e) if ko => format!("미리 빌드해 볼 수 없습니다: {e}"),
            Unmet::Preview(e) => format!("the rebuild could not be previewed: {e}"),
            Unmet::MissingInstruction(k) if ko => format!("Dockerfile에 {k}이(가) 없습니다."),
            Unmet::MissingInstruction(k) => format!("the Dockerfile has no {k}."),
            Unmet::TooManyInstructions { keyword, max, got } if ko => {
                format!("{keyword} 인스트럭션 {got}개 (목표: {max}개 이하)")
            }
            Unmet::TooManyInstructions { keyword, max, got } => {
                format!("{got} {keyword} instructions (at most {max}).")
            }
            Unmet::TooManyLayers { max, got } if ko => {
                format!("레이어 {got}개 (목표: {max}개 이하)")
            }
            Unmet::TooManyLayers { max, got } => format!("{got} layers (at most {max})."),
            Unmet::Holds { image, path } if ko => {
                format!("{image} 이미지에 아직 {path}이(가) 있습니다.")
            }
            Unmet::Holds { image, path } => format!("image {image} still holds {path}."),
            Unmet::Wasted(b) if ko => {
                format!("낭비된 공간 {b} B: 아래 레이어에 남은 파일을 위 레이어가 지우거나 덮어씀")
            }
            Unmet::Wasted(b) => format!(
                "{b} B wasted: files a lower layer stores and a later one removes or overwrites."
            ),
            Unmet::ImageEnv { image, entry } if ko => {
                format!("{image} 이미지의 환경 변수에 {entry}이(가) 없습니다.")
            }
            Unmet::ImageEnv { image, entry } => format!("image {image} has no {entry}."),
            Unmet::ImageWorkdir { image, want, got } if ko => {
                format!("{image} 이미지의 작업 디렉터리: {got:?} (목표: {want})")
            }
            Unmet::ImageWorkdir { image, want, got } => {
                format!("image {image} works in {got:?}, not {want}.")
            }
            Unmet::ImageCmd { image, want } if ko => {
                format!("{image} 이미지의 CMD가 {want:?}이(가) 아닙니다.")
            }
            Unmet::ImageCmd { image, want } => format!("image {image}'s CMD is not {want:?}."),
            Unmet::TopLayer { image, path } if ko => {
                format!("{image} 이미지의 맨 위 레이어에 {path}이(가) 없습니다.")
            }
            Unmet::TopLayer { image, path } => {
                format!("the newest layer of {image} does not add {path}.")
            }
            Unmet::History { image, min, got } if ko => {
                format!("{image}의 history: {got}줄 (목표: {min}줄 이상)")
            }
            Unmet::History { image, min, got } => {
                format!("{image} has {got} history rows (at least {min}).")
            }
            Unmet::NoContainer(n) if ko => format!("{n}이라는 이름의 컨테이너가 없습니다."),
            Unmet::NoContainer(n) => format!("there is no container named {n}."),
            Unmet::ContainerImage { name, want } if ko => {
                format!("{name} 컨테이너가 {want} 이미지로 만들어지지 않았습니다.")
            }
            Unmet::ContainerImage { name, want } => {
                format!("container {name} was not made from {want}.")
            }
            Unmet::ContainerEnv { name, entry } if ko => {
                format!("{name} 컨테이너의 환경 변수에 {entry}이(가) 없습니다.")
            }
            Unmet::ContainerEnv { name, entry } => format!("container {name} has no {entry}."),
            Unmet::NotShared { df, ls } if ko => {
                format!("system df {df} B, image ls 합계 {ls} B: 아직 같음")
            }
            Unmet::NotShared { df, ls } => {
                format!("system df counts {df} B, the image ls sizes add up to {ls} B.")
            }
        }
    }
}

impl Goal {
    /// Whether the goal sets no condition at all (a step must have one).
    pub fn is_empty(&self) -> bool {
        *self == Goal::default()
    }

    /// The conditions that do not hold; empty when the goal is reached.
    pub fn check(&self, world: &dyn World) -> Vec<Unmet> {
        let mut unmet = Vec::new();
        let engine = world.engine();
        if let Some(name) = &self.image_exists {
            if engine.image(name).is_none() {
                unmet.push(Unmet::NoImage(name.clone()));
            }
        }
        self.check_build(world, &mut unmet);
        if let Some(img) = &self.image {
            img.check(engine, &mut unmet);
        }
        if let Some(c) = &self.container {
            c.check(engine, &mut unmet);
        }
        if self.system_df_less_than_image_ls {
            let ls: u64 = engine
                .list_images(None, false)
                .iter()
                .map(|l| l.image.size())
                .sum();
            let df = engine.disk_usage().total;
            if df >= ls {
                unmet.push(Unmet::NotShared { df, ls });
            }
        }
        unmet
    }

    fn needs_build(&self) -> bool {
        self.builder.is_some()
            || self.max_rebuilt.is_some()
            || !self.instructions.is_empty()
            || !self.max_instructions.is_empty()
            || self.max_layers.is_some()
            || self.no_wasted_bytes
    }

    fn check_build(&self, world: &dyn World, unmet: &mut Vec<Unmet>) {
        if !self.needs_build() {
            return;
        }
        let Some(last) = world.last_build() else {
            unmet.push(Unmet::NoBuild);
            return;
        };
        if let Some(want) = self.builder {
            if last.builder != want.name() {
                unmet.push(Unmet::Builder {
                    want,
                    got: last.builder.clone(),
                });
            }
        }
        if let Some(max) = self.max_rebuilt {
            let counted = match &self.after_change {
                Some(path) => world.preview_after_change(path),
                None => Ok(last.clone()),
            };
            match counted {
                Ok(report) if report.totals.rebuilt > max => unmet.push(Unmet::Rebuilt {
                    max,
                    got: report.totals.rebuilt,
                    after: self.after_change.clone(),
                }),
                Ok(_) => {}
                Err(e) => unmet.push(Unmet::Preview(e)),
            }
        }
        let count = |k: &str| {
            last.instructions
                .iter()
                .filter(|i| i.keyword.as_str().eq_ignore_ascii_case(k))
                .count()
        };
        for k in &self.instructions {
            if count(k) == 0 {
                unmet.push(Unmet::MissingInstruction(k.to_uppercase()));
            }
        }
        for (k, &max) in &self.max_instructions {
            let got = count(k);
            if got > max {
                unmet.push(Unmet::TooManyInstructions {
                    keyword: k.to_uppercase(),
                    max,
                    got,
                });
            }
        }
        if self.no_wasted_bytes {
            let wasted = engine_wasted(world.engine(), last);
            if wasted > 0 {
                unmet.push(Unmet::Wasted(wasted));
            }
        }
        if let Some(max) = self.max_layers {
            if last.layer_count > max {
                unmet.push(Unmet::TooManyLayers {
                    max,
                    got: last.layer_count,
                });
            }
        }
    }
}

/// The files an image's layers leave (path → size) and the bytes its
/// layers store that a later layer removes or overwrites: stored, shipped,
/// and never seen. Layers not in memory are skipped.
fn walk_layers(engine: &EngineState, img: &ImageRecord) -> (BTreeMap<String, u64>, u64) {
    let mut present: BTreeMap<String, u64> = BTreeMap::new();
    let mut wasted = 0;
    for layer in &img.layers {
        let Some(changes) = engine.peek_layer(&layer.diff_id) else {
            continue;
        };
        for (path, change) in changes.iter() {
            let path = path.as_str();
            let below = |p: &String| p == path || p.starts_with(&format!("{path}/"));
            let gone: Vec<String> = match change {
                Change::Put(_) => present.keys().filter(|p| *p == path).cloned().collect(),
                Change::Whiteout | Change::Opaque(_) => {
                    present.keys().filter(|p| below(p)).cloned().collect()
                }
            };
            for p in gone {
                wasted += present.remove(&p).unwrap_or(0);
            }
            if let Change::Put(Node { kind, .. }) = change {
                let size = match kind {
                    NodeKind::File(blob) => blob.len(),
                    _ => 0,
                };
                present.insert(path.to_string(), size);
            }
        }
    }
    (present, wasted)
}

fn engine_wasted(engine: &EngineState, report: &BuildReport) -> u64 {
    engine
        .images
        .get(&report.image_id)
        .map_or(0, |img| walk_layers(engine, img).1)
}

impl ImageGoal {
    fn check(&self, engine: &EngineState, unmet: &mut Vec<Unmet>) {
        let Some(img) = engine.image(&self.name) else {
            unmet.push(Unmet::NoImage(self.name.clone()));
            return;
        };
        let env = img.config.env_list();
        for entry in &self.env {
            if !env.contains(entry) {
                unmet.push(Unmet::ImageEnv {
                    image: self.name.clone(),
                    entry: entry.clone(),
                });
            }
        }
        if let Some(want) = &self.workdir {
            if &img.config.working_dir != want {
                unmet.push(Unmet::ImageWorkdir {
                    image: self.name.clone(),
                    want: want.clone(),
                    got: img.config.working_dir.clone(),
                });
            }
        }
        if let Some(want) = &self.cmd {
            if img.config.cmd.as_ref() != Some(want) {
                unmet.push(Unmet::ImageCmd {
                    image: self.name.clone(),
                    want: want.clone(),
                });
            }
        }
        if !self.top_layer_adds.is_empty() {
            let top = img
                .layers
                .last()
                .and_then(|l| engine.peek_layer(&l.diff_id));
            for path in &self.top_layer_adds {
                let wanted = path.trim_matches('/');
                let added = top
                    .as_ref()
                    .is_some_and(|t| t.iter().any(|(p, _)| p.as_str() == wanted));
                if !added {
                    unmet.push(Unmet::TopLayer {
                        image: self.name.clone(),
                        path: path.clone(),
                    });
                }
            }
        }
        if !self.lacks.is_empty() {
            let (files, _) = walk_layers(engine, img);
            for path in &self.lacks {
                if files.contains_key(path.trim_matches('/')) {
                    unmet.push(Unmet::Holds {
                        image: self.name.clone(),
                        path: path.clone(),
                    });
                }
            }
        }
        if let Some(min) = self.min_history {
            if img.history.len() < min {
                unmet.push(Unmet::History {
                    image: self.name.clone(),
                    min,
                    got: img.history.len(),
                });
            }
        }
    }
}

impl ContainerGoal {
    fn check(&self, engine: &EngineState, unmet: &mut Vec<Unmet>) {
        let Some(c) = engine.containers.values().find(|c| c.name == self.name) else {
            unmet.push(Unmet::NoContainer(self.name.clone()));
            return;
        };
        if let Some(want) = &self.image {
            let same = engine.image(want).is_some_and(|img| img.id == c.image);
            if !same {
                unmet.push(Unmet::ContainerImage {
                    name: self.name.clone(),
                    want: want.clone(),
                });
            }
        }
        let env = c.config.env_list();
        for entry in &self.env {
            if !env.contains(entry) {
                unmet.push(Unmet::ContainerEnv {
                    name: self.name.clone(),
                    entry: entry.clone(),
                });
            }
        }
    }
}
