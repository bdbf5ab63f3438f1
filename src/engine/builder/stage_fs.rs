//! A stage's filesystem, laid out only when a step looks at it.
//!
//! A cached step changes nothing but which layers the stage has: reading a
//! stored layer (a 2 GB file in it) to lay it on the filesystem is wasted
//! unless a later step reads the files — a RUN or COPY that runs, a
//! `--chown` name, a `COPY --from` of the stage. So a fully cached build
//! reads no layer at all; when a step does look, the layers are laid in the
//! order the steps made them, through the same view cache, so the
//! filesystem is the one laying each at once would have made.

use std::cell::OnceCell;

use crate::engine::report::LayerInfo;
use crate::engine::transaction::Transaction;
use crate::filesystem::digest::Digest;
use crate::filesystem::rootfs::RootFs;

#[derive(Debug, Clone, Default)]
pub(super) struct StageFs {
    /// The filesystem as last laid out; None while nothing was (then the
    /// base image's layers are `base`).
    laid: Option<RootFs>,
    base: Vec<Digest>,
    /// Cached steps' layers over `laid` (or the base), not yet read.
    above: Vec<Digest>,
    /// `laid` with `above` laid over it, once a step looked.
    full: OnceCell<RootFs>,
}

impl StageFs {
    /// A base image's filesystem: its layers, not read yet.
    pub(super) fn of_layers(layers: &[LayerInfo]) -> StageFs {
        StageFs {
            base: layers.iter().map(|l| l.diff_id).collect(),
            ..StageFs::default()
        }
    }

    /// A filesystem laid out already (a step ran and made it).
    pub(super) fn laid(fs: RootFs) -> StageFs {
        StageFs {
            laid: Some(fs),
            ..StageFs::default()
        }
    }

    /// Whether the filesystem is its layers alone, nothing written on top
    /// of them that no layer holds.
    pub(super) fn only_layers(&self) -> bool {
        self.laid.as_ref().is_none_or(|fs| fs.upper().is_empty())
    }

    /// A cached step's layer on top, read when a step looks.
    pub(super) fn push(&mut self, diff_id: Digest) {
        if let Some(full) = self.full.take() {
            *self = StageFs::laid(full);
        }
        self.above.push(diff_id);
    }

    /// The filesystem, its layers read (once) through `txn`; the diff_id of
    /// a layer that could not be read.
    pub(super) fn get(&self, txn: &mut Transaction<'_>) -> Result<&RootFs, Digest> {
        if let (Some(fs), true) = (&self.laid, self.above.is_empty()) {
            return Ok(fs);
        }
        if let Some(fs) = self.full.get() {
            return Ok(fs);
        }
        let mut fs = match &self.laid {
            Some(fs) => fs.clone(),
            None => {
                let mut layers = Vec::with_capacity(self.base.len());
                for d in &self.base {
                    layers.push(txn.layer(d).ok_or(*d)?);
                }
                txn.memo.views.base(layers)
            }
        };
        for d in &self.above {
            let layer = txn.layer(d).ok_or(*d)?;
            fs = txn.memo.views.with_layer(fs, layer);
        }
        Ok(self.full.get_or_init(|| fs))
    }
}
