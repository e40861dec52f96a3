//! The sparse Merkle tree over all pages of the 32-bit address space.
//!
//! Leaves are the [`NUM_PAGES`] page digests, in page-index order; the tree
//! has [`DEPTH`] levels of internal nodes above them. Level 0 holds the
//! leaves, level [`DEPTH`] the root; node `i` at level `h + 1` is
//! `compress(node 2i at level h, node 2i+1 at level h)`. A subtree with only
//! zero pages has the constant digest [`zero_digest`]`(h)`, so a root exists
//! for any sparse memory and costs work proportional to the pages present.

use alloc::vec::Vec;

use super::hash::compress;
use super::page::{hash_page, PAGE_SIZE, PAGE_SIZE_LOG2};
use crate::digest::{Digest, DigestError};

/// Levels of internal nodes: the tree covers `2^32` bytes.
pub const DEPTH: usize = 32 - PAGE_SIZE_LOG2 as usize;
/// Pages in the address space (leaves of the tree).
pub const NUM_PAGES: u64 = 1 << DEPTH;

/// Why a Merkle operation was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MerkleError {
    #[error("Merkle path has {got} siblings; the tree has exactly {expected} levels")]
    WrongPathLength { expected: usize, got: usize },
    #[error("page index {index:#x} is outside the address space ({NUM_PAGES} pages)")]
    PageIndexOutOfRange { index: u64 },
    #[error("page {index:#x} is listed twice")]
    DuplicatePage { index: u32 },
    #[error("a digest in the Merkle opening is not canonical")]
    NotCanonical,
    #[error("Merkle path does not lead to the expected root")]
    RootMismatch,
    #[error("bad digest in Merkle path: {0}")]
    Digest(#[from] DigestError),
}

static ZERO_DIGESTS: spin::LazyLock<[Digest; DEPTH + 1]> = spin::LazyLock::new(|| {
    let mut table = [Digest::default(); DEPTH + 1];
    table[0] = hash_page(&[0u8; PAGE_SIZE]);
    for h in 1..=DEPTH {
        table[h] = compress(&table[h - 1], &table[h - 1]);
    }
    table
});

/// The digest of an all-zero subtree whose root is at `level` (0 = a zero
/// page's leaf, [`DEPTH`] = the root of all-zero memory). Computed once, on
/// first use.
///
/// # Panics
/// If `level > DEPTH`.
pub fn zero_digest(level: usize) -> Digest {
    ZERO_DIGESTS[level]
}

/// The whole table of zero-subtree digests, level 0 first.
pub fn zero_digests() -> &'static [Digest; DEPTH + 1] {
    &ZERO_DIGESTS
}

fn check_index(index: u64) -> Result<u32, MerkleError> {
    if index < NUM_PAGES {
        Ok(index as u32)
    } else {
        Err(MerkleError::PageIndexOutOfRange { index })
    }
}

/// The root of a memory whose non-zero pages are `pages` (every other page is
/// zero). Pages may come in any order; zero pages may be listed. Costs one
/// leaf hash per page plus at most `DEPTH` compressions per page.
pub fn memory_root<'a>(
    pages: impl IntoIterator<Item = (u32, &'a [u8; PAGE_SIZE])>,
) -> Result<Digest, MerkleError> {
    let leaves = pages
        .into_iter()
        .map(|(index, page)| (index, hash_page(page)))
        .collect();
    root_from_leaves(leaves)
}

/// The root of a memory given by the leaf digests of its listed pages
/// (unlisted pages are zero). Leaves must be canonical.
pub fn root_from_leaves(mut leaves: Vec<(u32, Digest)>) -> Result<Digest, MerkleError> {
    for (index, leaf) in &leaves {
        check_index(u64::from(*index))?;
        if !leaf.is_canonical() {
            return Err(MerkleError::NotCanonical);
        }
    }
    leaves.sort_unstable_by_key(|(i, _)| *i);
    if let Some(w) = leaves.windows(2).find(|w| w[0].0 == w[1].0) {
        return Err(MerkleError::DuplicatePage { index: w[0].0 });
    }
    let mut level = leaves;
    for h in 0..DEPTH {
        let zero = zero_digest(h);
        let mut next = Vec::with_capacity(level.len().div_ceil(2));
        let mut k = 0;
        while k < level.len() {
            let (index, digest) = level[k];
            let node = if index & 1 == 0 {
                if k + 1 < level.len() && level[k + 1].0 == index + 1 {
                    k += 1;
                    compress(&digest, &level[k].1)
                } else {
                    compress(&digest, &zero)
                }
            } else {
                compress(&zero, &digest)
            };
            next.push((index >> 1, node));
            k += 1;
        }
        level = next;
    }
    Ok(level.first().map_or(zero_digest(DEPTH), |(_, d)| *d))
}

/// The siblings on the way from a leaf to the root, bottom-up: `siblings[h]`
/// is the sibling of the path's node at level `h`. Always exactly [`DEPTH`]
/// long and made of canonical digests: a path of any other length cannot be
/// built, so it can never "continue below the leaves" or stop short of the
/// root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MerklePath {
    siblings: [Digest; DEPTH],
}

impl MerklePath {
    /// A path from its siblings, bottom-up. Refuses any length but [`DEPTH`]
    /// and non-canonical digests.
    pub fn new(siblings: &[Digest]) -> Result<Self, MerkleError> {
        let siblings: [Digest; DEPTH] =
            siblings
                .try_into()
                .map_err(|_| MerkleError::WrongPathLength {
                    expected: DEPTH,
                    got: siblings.len(),
                })?;
        if !siblings.iter().all(Digest::is_canonical) {
            return Err(MerkleError::NotCanonical);
        }
        Ok(MerklePath { siblings })
    }

    /// The siblings, bottom-up.
    pub fn siblings(&self) -> &[Digest; DEPTH] {
        &self.siblings
    }

    /// Wire form: the siblings' 32-byte forms, bottom-up (`32 * DEPTH` bytes).
    pub fn to_bytes(&self) -> Vec<u8> {
        self.siblings.iter().flat_map(|d| d.to_bytes()).collect()
    }

    /// Parses the wire form, refusing any length but `32 * DEPTH` bytes and
    /// non-canonical digests.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, MerkleError> {
        if bytes.len() != 32 * DEPTH {
            return Err(MerkleError::WrongPathLength {
                expected: DEPTH,
                got: bytes.len() / 32,
            });
        }
        let mut siblings = [Digest::default(); DEPTH];
        for (s, chunk) in siblings.iter_mut().zip(bytes.chunks_exact(32)) {
            *s = Digest::from_bytes(chunk)?;
        }
        Ok(MerklePath { siblings })
    }

    /// The root reached from `leaf` at `page_index` along this path.
    pub fn root(&self, page_index: u32, leaf: &Digest) -> Result<Digest, MerkleError> {
        check_index(u64::from(page_index))?;
        if !leaf.is_canonical() {
            return Err(MerkleError::NotCanonical);
        }
        let mut node = *leaf;
        let mut index = page_index;
        for sibling in &self.siblings {
            node = if index & 1 == 0 {
                compress(&node, sibling)
            } else {
                compress(sibling, &node)
            };
            index >>= 1;
        }
        Ok(node)
    }
}

/// Checks that `leaf` is the digest of page `page_index` under `root`.
pub fn verify_path(
    root: &Digest,
    page_index: u32,
    leaf: &Digest,
    path: &MerklePath,
) -> Result<(), MerkleError> {
    if !root.is_canonical() {
        return Err(MerkleError::NotCanonical);
    }
    if path.root(page_index, leaf)? == *root {
        Ok(())
    } else {
        Err(MerkleError::RootMismatch)
    }
}

/// The root after page `page_index` becomes `new_leaf`, given the page's path
/// in the current tree (siblings do not change when one leaf does).
pub fn update_root(
    path: &MerklePath,
    page_index: u32,
    new_leaf: &Digest,
) -> Result<Digest, MerkleError> {
    path.root(page_index, new_leaf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::boxed::Box;
    use alloc::collections::BTreeMap;
    use alloc::vec;

    /// A reference tree, recomputed from scratch with no zero shortcuts
    /// except at full levels: every node from its two children.
    fn node(pages: &BTreeMap<u32, Digest>, level: usize, index: u64) -> Digest {
        let span = 1u64 << level;
        let first = index * span;
        if !pages
            .keys()
            .any(|&k| (k as u64) >= first && (k as u64) < first + span)
        {
            return zero_digest(level);
        }
        if level == 0 {
            return pages[&(index as u32)];
        }
        compress(
            &node(pages, level - 1, 2 * index),
            &node(pages, level - 1, 2 * index + 1),
        )
    }

    fn path_of(pages: &BTreeMap<u32, Digest>, index: u32) -> MerklePath {
        let siblings: Vec<Digest> = (0..DEPTH)
            .map(|h| node(pages, h, ((index as u64) >> h) ^ 1))
            .collect();
        MerklePath::new(&siblings).unwrap()
    }

    fn page_with(byte: u8) -> Box<[u8; PAGE_SIZE]> {
        let mut p = Box::new([0u8; PAGE_SIZE]);
        p[17] = byte;
        p
    }

    #[test]
    fn zero_constants_equal_hashing_real_zero_pages() {
        // Level 0: a zero page, hashed.
        assert_eq!(zero_digest(0), hash_page(&[0; PAGE_SIZE]));
        // Level 2: a subtree of four explicit zero pages, hashed bottom-up.
        let zero = hash_page(&[0; PAGE_SIZE]);
        let pair = compress(&zero, &zero);
        assert_eq!(zero_digest(2), compress(&pair, &pair));
        // The root of memory with explicit zero pages is the all-zero root.
        let z = [0u8; PAGE_SIZE];
        assert_eq!(
            memory_root([(0, &z), (5, &z), ((NUM_PAGES - 1) as u32, &z)]).unwrap(),
            zero_digest(DEPTH)
        );
        assert_eq!(memory_root([]).unwrap(), zero_digest(DEPTH));
        // All levels distinct.
        let t = zero_digests();
        for a in 0..=DEPTH {
            for b in a + 1..=DEPTH {
                assert_ne!(t[a], t[b]);
            }
        }
    }

    #[test]
    fn sparse_root_matches_reference() {
        let p1 = page_with(1);
        let p2 = page_with(2);
        let p3 = page_with(3);
        let pages = [
            (0u32, &*p1),
            (1, &*p2),
            (0x40, &*p3),
            ((NUM_PAGES - 1) as u32, &*p1),
        ];
        let leaves: BTreeMap<u32, Digest> = pages.iter().map(|(i, p)| (*i, hash_page(p))).collect();
        let want = node(&leaves, DEPTH, 0);
        assert_eq!(memory_root(pages).unwrap(), want);
        // Order does not matter.
        let mut rev = pages;
        rev.reverse();
        assert_eq!(memory_root(rev).unwrap(), want);
        // Contents and positions matter.
        assert_ne!(
            memory_root([(0, &*p1)]).unwrap(),
            memory_root([(0, &*p2)]).unwrap()
        );
        assert_ne!(
            memory_root([(0, &*p1)]).unwrap(),
            memory_root([(1, &*p1)]).unwrap()
        );
    }

    #[test]
    fn root_rejects_bad_page_lists() {
        let p = page_with(1);
        assert_eq!(
            memory_root([(3, &*p), (3, &*p)]),
            Err(MerkleError::DuplicatePage { index: 3 })
        );
        assert_eq!(
            memory_root([(NUM_PAGES as u32, &*p)]),
            Err(MerkleError::PageIndexOutOfRange { index: NUM_PAGES })
        );
        assert_eq!(
            root_from_leaves(vec![(0, Digest([u32::MAX; 8]))]),
            Err(MerkleError::NotCanonical)
        );
    }

    fn sample() -> (BTreeMap<u32, Digest>, Digest) {
        let mut leaves = BTreeMap::new();
        for (i, idx) in [0u32, 1, 2, 0x11, 0x1234, 0x3f_ffff]
            .into_iter()
            .enumerate()
        {
            leaves.insert(idx, hash_page(&page_with(i as u8 + 1)));
        }
        let root = root_from_leaves(leaves.iter().map(|(i, d)| (*i, *d)).collect()).unwrap();
        (leaves, root)
    }

    #[test]
    fn paths_verify_and_reject_tampering() {
        let (leaves, root) = sample();
        for (&index, leaf) in &leaves {
            let path = path_of(&leaves, index);
            verify_path(&root, index, leaf, &path).unwrap();

            // Wrong leaf.
            let other = hash_page(&page_with(0xee));
            assert_eq!(
                verify_path(&root, index, &other, &path),
                Err(MerkleError::RootMismatch)
            );
            // Wrong sibling, at every level.
            for h in 0..DEPTH {
                let mut s = *path.siblings();
                s[h].0[h % 8] ^= 1;
                let bad = MerklePath::new(&s).unwrap();
                assert_eq!(
                    verify_path(&root, index, leaf, &bad),
                    Err(MerkleError::RootMismatch),
                    "level {h}"
                );
            }
            // Wrong index: every single-bit flip of the index.
            for bit in 0..DEPTH {
                assert_eq!(
                    verify_path(&root, index ^ (1 << bit), leaf, &path),
                    Err(MerkleError::RootMismatch),
                    "bit {bit}"
                );
            }
            // Wrong root.
            let mut r = root;
            r.0[0] ^= 1;
            assert_eq!(
                verify_path(&r, index, leaf, &path),
                Err(MerkleError::RootMismatch)
            );
        }
        // Out-of-range index (would otherwise alias page 0 after DEPTH bits).
        let path0 = path_of(&leaves, 0);
        assert_eq!(
            verify_path(&root, NUM_PAGES as u32, &leaves[&0], &path0),
            Err(MerkleError::PageIndexOutOfRange { index: NUM_PAGES })
        );
    }

    /// The "rows below the leaves" shape: a path one level longer (a fake
    /// subtree under a leaf) or shorter (an internal node passed as a leaf)
    /// is refused, both as digests and as bytes.
    #[test]
    fn paths_of_other_lengths_are_refused() {
        let (leaves, root) = sample();
        let path = path_of(&leaves, 0x11);
        let mut long = path.siblings().to_vec();
        long.insert(0, zero_digest(0));
        assert_eq!(
            MerklePath::new(&long),
            Err(MerkleError::WrongPathLength {
                expected: DEPTH,
                got: DEPTH + 1
            })
        );
        let short = &path.siblings()[1..];
        assert_eq!(
            MerklePath::new(short),
            Err(MerkleError::WrongPathLength {
                expected: DEPTH,
                got: DEPTH - 1
            })
        );
        assert!(MerklePath::new(&[]).is_err());
        // The short path really does hash to the root from the level-1 node:
        // only the length check stops an internal node posing as a leaf.
        let level1 = node(&leaves, 1, 0x11 >> 1);
        let mut n = level1;
        let mut idx = 0x11u32 >> 1;
        for s in short {
            n = if idx & 1 == 0 {
                compress(&n, s)
            } else {
                compress(s, &n)
            };
            idx >>= 1;
        }
        assert_eq!(n, root);

        let bytes = path.to_bytes();
        assert_eq!(MerklePath::from_bytes(&bytes).unwrap(), path);
        assert!(matches!(
            MerklePath::from_bytes(&bytes[..bytes.len() - 32]),
            Err(MerkleError::WrongPathLength { .. })
        ));
        let mut longer = bytes.clone();
        longer.extend_from_slice(&[0; 32]);
        assert!(matches!(
            MerklePath::from_bytes(&longer),
            Err(MerkleError::WrongPathLength { .. })
        ));
        assert!(MerklePath::from_bytes(&bytes[..bytes.len() - 1]).is_err());
    }

    #[test]
    fn non_canonical_digests_are_refused() {
        let (leaves, root) = sample();
        let path = path_of(&leaves, 2);
        let leaf = leaves[&2];
        // A sibling word replaced by itself plus p: the same field element,
        // different bytes.
        let mut bytes = path.to_bytes();
        let w = u32::from_le_bytes(bytes[0..4].try_into().unwrap());
        let alias = w + crate::digest::KOALABEAR_MODULUS;
        if alias > w {
            bytes[0..4].copy_from_slice(&alias.to_le_bytes());
            assert!(matches!(
                MerklePath::from_bytes(&bytes),
                Err(MerkleError::Digest(DigestError::NotCanonical { .. }))
            ));
        }
        let mut s = *path.siblings();
        s[3].0[1] = u32::MAX;
        assert_eq!(MerklePath::new(&s), Err(MerkleError::NotCanonical));
        let mut bad_leaf = leaf;
        bad_leaf.0[0] += crate::digest::KOALABEAR_MODULUS;
        assert_eq!(
            verify_path(&root, 2, &bad_leaf, &path),
            Err(MerkleError::NotCanonical)
        );
        let mut bad_root = root;
        bad_root.0[7] = u32::MAX;
        assert_eq!(
            verify_path(&bad_root, 2, &leaf, &path),
            Err(MerkleError::NotCanonical)
        );
    }

    #[test]
    fn update_root_matches_recomputation() {
        let (mut leaves, mut root) = sample();
        for (step, index) in [0x11u32, 0, 0x3f_ffff, 0x2_0000, 1].into_iter().enumerate() {
            let path = path_of(&leaves, index);
            let new_leaf = hash_page(&page_with(0x80 + step as u8));
            let updated = update_root(&path, index, &new_leaf).unwrap();
            leaves.insert(index, new_leaf);
            let fresh = root_from_leaves(leaves.iter().map(|(i, d)| (*i, *d)).collect()).unwrap();
            assert_eq!(updated, fresh, "step {step}");
            assert_ne!(updated, root);
            root = updated;
        }
    }
}
