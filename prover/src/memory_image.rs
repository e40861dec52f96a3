//! The prover's incremental Merkle memory image: follows an execution epoch
//! by epoch and hands out, for each epoch, everything the proof of that epoch
//! needs about memory — the start root, a Merkle opening of every touched
//! page against it (page-in), the page updates that lead to the end root
//! (page-out), and the end root.
//!
//! Storage is sparse: only nodes above pages that were ever non-zero in the
//! image are kept (at most `DEPTH + 1` nodes per such page), never anything
//! proportional to the 2^22-page address space. Every absent node is the
//! all-zero subtree constant [`zero_digest`].

use std::collections::HashMap;

use p3_field::{Field, PackedValue, PrimeCharacteristicRing, PrimeField32};
use p3_koala_bear::KoalaBear;
use p3_symmetric::Permutation;
use rayon::prelude::*;

use sluice_verifier::digest::Digest;
use sluice_verifier::memory::hash::{permutation, sponge_iv, LEAF_DOMAIN, RATE, WIDTH};
use sluice_verifier::memory::page::ELEMENTS_PER_PAGE;
use sluice_verifier::memory::tree::{root_from_leaves, zero_digest};
use sluice_verifier::memory::{
    encode_word, hash::compress, initial_root, state_digest, MerkleError, MerklePath, DEPTH,
    NUM_PAGES,
};

use crate::executor::{
    register_page, EpochRecord, InitialMemory, Memory, PageIn, Program, PAGE_SIZE_LOG2,
    REGISTER_PAGE,
};

// The executor tracks touched pages at exactly the commitment's page size.
const _: () = assert!(PAGE_SIZE_LOG2 == sluice_verifier::memory::PAGE_SIZE_LOG2);

type Packed = <KoalaBear as Field>::Packing;
type Page = [u8; sluice_verifier::memory::PAGE_SIZE];

/// Leaf digests of many pages (equal to
/// [`sluice_verifier::memory::hash_page`] of each), hashing `Packed::WIDTH`
/// pages per permutation call when the build enables SIMD
/// (`-C target-cpu=...` with AVX2 or AVX-512: 8 or 16 lanes; 1 lane
/// otherwise), and groups on all cores.
pub fn hash_pages(pages: &[&Page]) -> Vec<Digest> {
    pages
        .par_chunks(Packed::WIDTH)
        .flat_map_iter(hash_page_group)
        .collect()
}

/// Leaf digests of at most `Packed::WIDTH` pages, one per lane (spare lanes
/// hash zeros and are dropped).
fn hash_page_group(group: &[&Page]) -> Vec<Digest> {
    let iv = sponge_iv(LEAF_DOMAIN, [ELEMENTS_PER_PAGE as u32, 0]);
    let mut state: [Packed; WIDTH] =
        core::array::from_fn(|k| Packed::from_fn(|_| KoalaBear::new(iv[k])));
    let perm = permutation();
    for block in 0..ELEMENTS_PER_PAGE / RATE {
        for (e, slot) in state[..RATE].iter_mut().enumerate() {
            // Element e of block `block`: half (e % 2) of word 4 block + e / 2.
            let offset = 16 * block + 4 * (e / 2);
            *slot = Packed::from_fn(|lane| match group.get(lane) {
                Some(page) => {
                    let w = u32::from_le_bytes([
                        page[offset],
                        page[offset + 1],
                        page[offset + 2],
                        page[offset + 3],
                    ]);
                    KoalaBear::new(encode_word(w)[e % 2])
                }
                None => KoalaBear::ZERO,
            });
        }
        perm.permute_mut(&mut state);
    }
    (0..group.len())
        .map(|lane| {
            Digest(core::array::from_fn(|i| {
                state[i].as_slice()[lane].as_canonical_u32()
            }))
        })
        .collect()
}

/// A page's digest and its Merkle path in some tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageOpening {
    /// Page index.
    pub index: u32,
    /// The page's leaf digest in that tree.
    pub leaf: Digest,
    /// Siblings bottom-up; `verify_path(root, index, leaf, path)` holds.
    pub path: MerklePath,
}

/// One step of the page-out chain: page `index` goes from `old_leaf` to
/// `new_leaf`; `path` is its path in the tree *before* this step (after the
/// previous steps), so `verify_path(before, index, old_leaf, path)` and
/// `update_root(path, index, new_leaf) == after`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageUpdate {
    pub index: u32,
    pub old_leaf: Digest,
    pub new_leaf: Digest,
    pub path: MerklePath,
    /// The root after this step.
    pub root_after: Digest,
}

/// Everything about memory that one epoch's proof needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EpochTransition {
    /// Epoch number (from the record).
    pub index: u64,
    /// Memory root at epoch start.
    pub start_root: Digest,
    /// Memory root at epoch end.
    pub end_root: Digest,
    /// `state_digest(start_pc, start_root)`: the statement's `start`.
    pub start_state: Digest,
    /// `state_digest(end_pc, end_root)`: the statement's `end`.
    pub end_state: Digest,
    /// Every touched page's start leaf and path against `start_root`, by
    /// increasing index (the record's page order).
    pub page_ins: Vec<PageOpening>,
    /// The touched pages updated one by one, by increasing index, from
    /// `start_root` to `end_root` (unchanged pages included: their step keeps
    /// the root).
    pub page_outs: Vec<PageUpdate>,
    /// End contents of the touched pages, same order (page 0 holds the end
    /// registers).
    pub end_pages: Vec<PageIn>,
}

/// Why an epoch could not be applied to the image.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    /// The record's start contents of a page do not match the image: the
    /// record is from another run, out of order, or applied twice.
    #[error("epoch {epoch}: start contents of page {page:#x} do not match the memory image")]
    StartPageMismatch { epoch: u64, page: u32 },
    /// The record's pages are not in strictly increasing index order.
    #[error("epoch {epoch}: touched pages are not strictly increasing")]
    UnsortedPages { epoch: u64 },
    /// The end contents do not list the same pages as the record.
    #[error("epoch {epoch}: end pages do not match the record's touched pages")]
    EndPagesMismatch { epoch: u64 },
    #[error(transparent)]
    Merkle(#[from] MerkleError),
}

/// The sparse Merkle tree of the whole memory (registers included).
#[derive(Clone, Debug)]
pub struct MemoryImage {
    /// `levels[h]` maps node index to digest at level `h` (0 = leaves,
    /// `DEPTH` = root). An absent node is `zero_digest(h)`.
    levels: Vec<HashMap<u32, Digest>>,
    /// A fast 64-bit fingerprint (SipHash) of each page's current contents,
    /// for pages whose contents the image was given; absent = zero page.
    /// Lets [`MemoryImage::apply`] check a record's start contents without
    /// re-hashing them with Poseidon2 (which would double its cost). It
    /// only guards against driver mistakes (records out of order or from
    /// another run); the digests themselves are always Poseidon2.
    fingerprints: HashMap<u32, u64>,
}

fn fingerprint(page: &[u8; sluice_verifier::memory::PAGE_SIZE]) -> u64 {
    use std::hash::{DefaultHasher, Hasher};
    let mut h = DefaultHasher::new();
    h.write(page);
    h.finish()
}

static ZERO_FINGERPRINT: std::sync::LazyLock<u64> =
    std::sync::LazyLock::new(|| fingerprint(&[0; sluice_verifier::memory::PAGE_SIZE]));

impl MemoryImage {
    /// All-zero memory.
    pub fn zero() -> Self {
        MemoryImage {
            levels: vec![HashMap::new(); DEPTH + 1],
            fingerprints: HashMap::new(),
        }
    }

    /// The program's initial state: segments loaded, registers (page 0) zero.
    /// Its root is the one inside `image_id(program)`.
    pub fn new(program: &Program) -> Self {
        let mem = program.initial_memory();
        let image = Self::from_pages(mem.pages()).expect("executor pages are in range and unique");
        debug_assert_eq!(image.root(), initial_root(program));
        image
    }

    /// The memory holding `pages` (any order, unique indices); other pages
    /// are zero.
    pub fn from_pages<'a>(
        pages: impl IntoIterator<Item = (u32, &'a [u8; sluice_verifier::memory::PAGE_SIZE])>,
    ) -> Result<Self, MerkleError> {
        let pages: Vec<(u32, &[u8; sluice_verifier::memory::PAGE_SIZE])> =
            pages.into_iter().collect();
        let refs: Vec<&Page> = pages.iter().map(|(_, p)| *p).collect();
        let leaves: Vec<(u32, Digest)> = pages
            .iter()
            .map(|(index, _)| *index)
            .zip(hash_pages(&refs))
            .collect();
        // Validates range and uniqueness.
        root_from_leaves(leaves.clone())?;
        let mut image = Self::zero();
        image.set_leaves(leaves);
        image.fingerprints = pages
            .iter()
            .map(|(index, page)| (*index, fingerprint(page)))
            .collect();
        Ok(image)
    }

    fn node(&self, level: usize, index: u32) -> Digest {
        self.levels[level]
            .get(&index)
            .copied()
            .unwrap_or_else(|| zero_digest(level))
    }

    /// Current root.
    pub fn root(&self) -> Digest {
        self.node(DEPTH, 0)
    }

    /// Current leaf digest of page `index`.
    pub fn leaf(&self, index: u32) -> Digest {
        self.node(0, index)
    }

    /// Number of stored (non-default) nodes: the image's memory footprint
    /// (plus one 12-byte fingerprint per page with known contents).
    pub fn stored_nodes(&self) -> usize {
        self.levels.iter().map(HashMap::len).sum()
    }

    /// The path of page `index` in the current tree.
    pub fn path(&self, index: u32) -> Result<MerklePath, MerkleError> {
        if u64::from(index) >= NUM_PAGES {
            return Err(MerkleError::PageIndexOutOfRange {
                index: index.into(),
            });
        }
        let siblings: Vec<Digest> = (0..DEPTH).map(|h| self.node(h, (index >> h) ^ 1)).collect();
        MerklePath::new(&siblings)
    }

    /// Sets one leaf and recomputes its ancestors (`DEPTH` compressions).
    fn set_leaf(&mut self, index: u32, leaf: Digest) {
        self.levels[0].insert(index, leaf);
        let mut i = index;
        for h in 0..DEPTH {
            let (l, r) = (self.node(h, i & !1), self.node(h, i | 1));
            i >>= 1;
            self.levels[h + 1].insert(i, compress(&l, &r));
        }
    }

    /// Sets many leaves, computing each shared ancestor once.
    fn set_leaves(&mut self, mut leaves: Vec<(u32, Digest)>) {
        leaves.sort_unstable_by_key(|(i, _)| *i);
        let mut dirty: Vec<u32> = Vec::with_capacity(leaves.len());
        for (index, leaf) in leaves {
            self.levels[0].insert(index, leaf);
            dirty.push(index);
        }
        for h in 0..DEPTH {
            let mut parents: Vec<u32> = dirty.iter().map(|i| i >> 1).collect();
            parents.dedup();
            for &p in &parents {
                let node = compress(&self.node(h, 2 * p), &self.node(h, 2 * p + 1));
                self.levels[h + 1].insert(p, node);
            }
            dirty = parents;
        }
    }

    /// Applies one epoch: checks the record's start contents against the
    /// image, opens every touched page against the start root, then writes
    /// the end contents (`end_pages`, same pages as the record, e.g. from
    /// [`end_pages`]) and returns the transition.
    pub fn apply(
        &mut self,
        record: &EpochRecord,
        end_pages: Vec<PageIn>,
    ) -> Result<EpochTransition, ImageError> {
        let epoch = record.index;
        if record.pages.windows(2).any(|w| w[0].index >= w[1].index) {
            return Err(ImageError::UnsortedPages { epoch });
        }
        if end_pages.len() != record.pages.len()
            || end_pages
                .iter()
                .zip(&record.pages)
                .any(|(e, s)| e.index != s.index)
        {
            return Err(ImageError::EndPagesMismatch { epoch });
        }
        let start_root = self.root();
        let mut page_ins = Vec::with_capacity(record.pages.len());
        for page in &record.pages {
            let known = self
                .fingerprints
                .get(&page.index)
                .copied()
                .unwrap_or(*ZERO_FINGERPRINT);
            if u64::from(page.index) >= NUM_PAGES || fingerprint(&page.data) != known {
                return Err(ImageError::StartPageMismatch {
                    epoch,
                    page: page.index,
                });
            }
            page_ins.push(PageOpening {
                index: page.index,
                leaf: self.leaf(page.index),
                path: self.path(page.index)?,
            });
        }
        // Leaf hashing dominates (64 permutations per page against 22 per
        // path update) and is independent per page: do it on all cores.
        let refs: Vec<&Page> = end_pages.iter().map(|p| &*p.data).collect();
        let end_leaves = hash_pages(&refs);
        let mut page_outs = Vec::with_capacity(end_pages.len());
        for ((page, opened), new_leaf) in end_pages.iter().zip(&page_ins).zip(end_leaves) {
            let path = self.path(page.index)?;
            self.set_leaf(page.index, new_leaf);
            self.fingerprints
                .insert(page.index, fingerprint(&page.data));
            page_outs.push(PageUpdate {
                index: page.index,
                old_leaf: opened.leaf,
                new_leaf,
                path,
                root_after: self.root(),
            });
        }
        let end_root = self.root();
        Ok(EpochTransition {
            index: epoch,
            start_root,
            end_root,
            start_state: state_digest(record.start_pc, &start_root),
            end_state: state_digest(record.end_pc, &end_root),
            page_ins,
            page_outs,
            end_pages,
        })
    }

    /// [`MemoryImage::apply`] with the end contents read from the executor's
    /// memory right after [`crate::executor::Executor::run_epoch`] returned
    /// `record` (copies only the touched pages).
    pub fn apply_epoch(
        &mut self,
        record: &EpochRecord,
        end_memory: &Memory,
    ) -> Result<EpochTransition, ImageError> {
        self.apply(record, end_pages(record, end_memory))
    }
}

/// The end contents of the pages `record` touched, read from the executor's
/// memory at the end of that epoch; the register page is built from
/// `record.end_registers` (the executor keeps registers outside `Memory`).
pub fn end_pages(record: &EpochRecord, end_memory: &Memory) -> Vec<PageIn> {
    record
        .pages
        .iter()
        .map(|p| PageIn {
            index: p.index,
            data: if p.index == REGISTER_PAGE {
                register_page(&record.end_registers, record.end_input_eof)
            } else {
                end_memory.page_copy(p.index)
            },
        })
        .collect()
}

/// The root of the executor's whole state memory computed from scratch:
/// every allocated page plus the register page (`register_page`, with the
/// input state word).
pub fn root_of_executor_memory(
    memory: &Memory,
    register_page: &Page,
) -> Result<Digest, MerkleError> {
    let regs = register_page;
    sluice_verifier::memory::memory_root(
        memory
            .pages()
            .filter(|(i, _)| *i != REGISTER_PAGE)
            .chain(std::iter::once((REGISTER_PAGE, regs))),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::executor::{Config, Executor, PAGE_SIZE};
    use sluice_verifier::isa::{Instruction as I, Opcode::*};
    use sluice_verifier::memory::hash_page;
    use sluice_verifier::memory::{image_id, update_root, verify_path};

    /// Writes `i * 3` to word `i * 260` of a buffer for i = 0..n (a stride
    /// just over a page, so stores cross many pages), then exits.
    fn striding_stores(n: u32) -> Program {
        let words = [
            I::u(Lui, 10, 0x0010_0000).encode(),  // a0 = buffer
            I::i(Addi, 11, 0, n as i32).encode(), // a1 = n
            I::i(Addi, 12, 0, 0).encode(),        // a2 = value
            // loop:
            I::s(Sw, 10, 12, 0).encode(),
            I::i(Addi, 12, 12, 3).encode(),
            I::i(Addi, 10, 10, 1040).encode(),
            I::i(Addi, 11, 11, -1).encode(),
            I::b(Bne, 11, 0, -16).encode(),
            I::i(Addi, 10, 0, 0).encode(),
            I::i(Addi, 17, 0, 93).encode(),
            I::bare(Ecall).encode(),
        ];
        Program::from_words(0x1_0000, &words).unwrap()
    }

    #[test]
    fn follows_an_execution_epoch_by_epoch() {
        let program = striding_stores(40);
        let config = Config {
            epoch_size_log2: 5,
            max_cycles: 1 << 20,
        };
        let mut ex = Executor::new(&program, vec![], &config).unwrap();
        let mut image = MemoryImage::new(&program);
        assert_eq!(image.root(), initial_root(&program));
        let mut expected_start = image_id(&program);
        let mut prev_end_root = image.root();
        let mut epochs = 0;
        let mut changed = 0;
        while let Some(record) = ex.run_epoch().unwrap() {
            let t = image.apply_epoch(&record, ex.memory()).unwrap();
            // Chaining: start of i+1 is end of i; epoch 0 starts at the image ID.
            assert_eq!(t.start_root, prev_end_root);
            assert_eq!(t.start_state, expected_start);
            // Page-ins open against the start root.
            for o in &t.page_ins {
                verify_path(&t.start_root, o.index, &o.leaf, &o.path).unwrap();
                assert_eq!(o.leaf, hash_page(record.page(o.index).unwrap()));
            }
            // Page-outs chain from start root to end root.
            let mut root = t.start_root;
            for u in &t.page_outs {
                verify_path(&root, u.index, &u.old_leaf, &u.path).unwrap();
                root = update_root(&u.path, u.index, &u.new_leaf).unwrap();
                assert_eq!(root, u.root_after);
                changed += usize::from(u.old_leaf != u.new_leaf);
            }
            assert_eq!(root, t.end_root);
            // The end root equals the root of the executor's memory from scratch.
            assert_eq!(
                t.end_root,
                root_of_executor_memory(ex.memory(), &ex.register_page()).unwrap()
            );
            assert_eq!(t.end_state, state_digest(ex.pc(), &t.end_root));
            prev_end_root = t.end_root;
            expected_start = t.end_state;
            epochs += 1;
        }
        assert!(ex.is_halted());
        assert!(epochs > 5, "{epochs} epochs");
        assert!(changed > 40, "{changed} leaf changes");
        // Sparse: a few dozen pages touched, a few hundred nodes stored.
        assert!(image.stored_nodes() < 50 * (DEPTH + 1));
        // The final root from scratch, from the executor's final memory.
        assert_eq!(
            image.root(),
            root_of_executor_memory(ex.memory(), &ex.register_page()).unwrap()
        );
    }

    #[test]
    fn refuses_records_out_of_order_or_twice() {
        let program = striding_stores(8);
        let config = Config {
            epoch_size_log2: 3,
            max_cycles: 1 << 16,
        };
        let mut ex = Executor::new(&program, vec![], &config).unwrap();
        let mut image = MemoryImage::new(&program);
        let r0 = ex.run_epoch().unwrap().unwrap();
        let e0 = end_pages(&r0, ex.memory());
        let r1 = ex.run_epoch().unwrap().unwrap();
        let e1 = end_pages(&r1, ex.memory());
        // Epoch 1 first: its register page holds registers epoch 0 set.
        assert!(matches!(
            image.clone().apply(&r1, e1.clone()),
            Err(ImageError::StartPageMismatch { epoch: 1, .. })
        ));
        image.apply(&r0, e0.clone()).unwrap();
        // Epoch 0 again.
        assert!(matches!(
            image.clone().apply(&r0, e0),
            Err(ImageError::StartPageMismatch { epoch: 0, .. })
        ));
        // Pages listed twice.
        let mut dup = r1.clone();
        dup.pages.push(dup.pages.last().unwrap().clone());
        let mut dup_end = e1.clone();
        dup_end.push(dup_end.last().unwrap().clone());
        assert_eq!(
            image.clone().apply(&dup, dup_end),
            Err(ImageError::UnsortedPages { epoch: 1 })
        );
        // End pages that do not match the touched pages.
        let mut short = e1.clone();
        short.pop();
        assert_eq!(
            image.clone().apply(&r1, short),
            Err(ImageError::EndPagesMismatch { epoch: 1 })
        );
        image.apply(&r1, e1).unwrap();
    }

    #[test]
    fn set_leaves_matches_set_leaf_and_scratch() {
        let mut pages: Vec<(u32, Box<[u8; PAGE_SIZE]>)> = Vec::new();
        for (k, idx) in [0u32, 1, 7, 0x40, 0x41, 0x3f_ffff].into_iter().enumerate() {
            let mut p = Box::new([0u8; PAGE_SIZE]);
            p[k] = 1 + k as u8;
            pages.push((idx, p));
        }
        let batch = MemoryImage::from_pages(pages.iter().map(|(i, p)| (*i, &**p))).unwrap();
        let mut single = MemoryImage::zero();
        for (i, p) in &pages {
            single.set_leaf(*i, hash_page(p));
        }
        let scratch =
            sluice_verifier::memory::memory_root(pages.iter().map(|(i, p)| (*i, &**p))).unwrap();
        assert_eq!(batch.root(), scratch);
        assert_eq!(single.root(), scratch);
        assert!(batch.path(NUM_PAGES as u32).is_err());
    }

    #[test]
    fn packed_hashing_equals_hash_page() {
        let pages: Vec<Box<Page>> = (0..37u32)
            .map(|k| {
                let mut p = Box::new([0u8; PAGE_SIZE]);
                for (i, b) in p.iter_mut().enumerate() {
                    *b = (i as u32 * 131 + k * 7919) as u8;
                }
                p[0] = 0xff; // a word with both halves non-trivial
                p[3] = 0x80;
                p
            })
            .collect();
        for n in [0, 1, 7, 8, 9, 16, 17, 37] {
            let refs: Vec<&Page> = pages[..n].iter().map(|p| &**p).collect();
            let want: Vec<Digest> = refs.iter().map(|p| hash_page(p)).collect();
            assert_eq!(hash_pages(&refs), want, "{n} pages");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]

        /// Random sparse memories and random updates: incremental image,
        /// batch construction and from-scratch roots agree, and every path
        /// the image hands out verifies.
        #[test]
        fn image_agrees_with_scratch(
            pages in proptest::collection::vec((0u32..(1 << 22), 0u8..4), 1..12),
            updates in proptest::collection::vec((0usize..12, 1u8..255), 1..8),
        ) {
            let mut contents: std::collections::BTreeMap<u32, Box<[u8; PAGE_SIZE]>> =
                Default::default();
            for (index, fill) in &pages {
                let mut p = Box::new([0u8; PAGE_SIZE]);
                p[(*index as usize) % PAGE_SIZE] = *fill;
                contents.insert(*index, p);
            }
            let mut image =
                MemoryImage::from_pages(contents.iter().map(|(i, p)| (*i, &**p))).unwrap();
            let scratch = |c: &std::collections::BTreeMap<u32, Box<[u8; PAGE_SIZE]>>| {
                sluice_verifier::memory::memory_root(c.iter().map(|(i, p)| (*i, &**p))).unwrap()
            };
            proptest::prop_assert_eq!(image.root(), scratch(&contents));
            let keys: Vec<u32> = contents.keys().copied().collect();
            for (k, byte) in updates {
                let index = keys[k % keys.len()];
                let path = image.path(index).unwrap();
                verify_path(&image.root(), index, &image.leaf(index), &path).unwrap();
                let mut p = contents[&index].clone();
                p[PAGE_SIZE - 1] = byte;
                let leaf = hash_page(&p);
                let predicted = update_root(&path, index, &leaf).unwrap();
                image.set_leaf(index, leaf);
                contents.insert(index, p);
                proptest::prop_assert_eq!(image.root(), predicted);
                proptest::prop_assert_eq!(image.root(), scratch(&contents));
            }
        }
    }
}
