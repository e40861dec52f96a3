//! The page table's trace (page-in/page-out of every touched page) and the
//! Merkle table's trace (each page's path from the start root to the end
//! root), both from the epoch's memory log and its Merkle transition.

use std::collections::{BTreeMap, HashMap};

use p3_field::{Field, PrimeCharacteristicRing, PrimeField32};
use p3_matrix::dense::RowMajorMatrix;
use sluice_verifier::air::merkle::MerkleCols;
use sluice_verifier::air::page::{
    leaf_capacity_iv, PageCols, BLOCKS_PER_PAGE, PAGE_INDEX_BITS, WORDS_PER_BLOCK,
};
use sluice_verifier::air::poseidon2::WIDTH;
use sluice_verifier::digest::Digest;
use sluice_verifier::memory::hash::RATE;
use sluice_verifier::memory::tree::DEPTH;
use sluice_verifier::stark::config::Val;

use crate::executor::{EpochRecord, PAGE_SIZE};
use crate::memory_image::EpochTransition;

use super::memory::WordLog;
use super::poseidon2::Permutations;
use super::{ByteCounts, TraceError};

fn digest_of(x: &[Val]) -> Digest {
    Digest(core::array::from_fn(|i| x[i].as_canonical_u32()))
}

fn vals(d: &Digest) -> [Val; RATE] {
    d.0.map(Val::from_u32)
}

/// Whether a generator cross-checks its inputs (the honest prover always
/// does; negative tests turn it off to build a cheating trace).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Checks {
    On,
    Off,
}

/// The page table. The pages, their order and their end contents come from
/// the transition, their start contents from the record, and each word's
/// last access timestamp from `words`, the memory log (with [`Checks::On`],
/// the log's final values must equal the end contents).
pub fn page_trace(
    record: &EpochRecord,
    words: &BTreeMap<u32, WordLog>,
    transition: &EpochTransition,
    log_height: usize,
    perms: &mut Permutations,
    bytes: &mut ByteCounts,
    checks: Checks,
) -> Result<RowMajorMatrix<Val>, TraceError> {
    let c = PageCols::new();
    let height = 1usize << log_height;
    let mut values = Val::zero_vec(height * c.width);
    let start: HashMap<u32, &[u8; PAGE_SIZE]> =
        record.pages.iter().map(|p| (p.index, &*p.data)).collect();
    let end: HashMap<u32, &[u8; PAGE_SIZE]> = transition
        .end_pages
        .iter()
        .map(|p| (p.index, &*p.data))
        .collect();
    let iv = leaf_capacity_iv().map(Val::from_u32);
    let mut rows = values.chunks_exact_mut(c.width);
    let mut prev: Option<u32> = None;
    for update in &transition.page_outs {
        let page = update.index;
        if page >= 1 << PAGE_INDEX_BITS {
            return Err(TraceError::Diverged(format!(
                "page {page:#x} above guest memory"
            )));
        }
        let (data, end_data) = match (start.get(&page), end.get(&page)) {
            (Some(s), Some(e)) => (s, e),
            _ => return Err(TraceError::PageMissing { addr: page << 10 }),
        };
        let mut old_cap = iv;
        let mut new_cap = iv;
        let mut old_out = [Val::ZERO; WIDTH];
        let mut new_out = [Val::ZERO; WIDTH];
        for block in 0..BLOCKS_PER_PAGE {
            let row = rows
                .next()
                .expect("page table height checked by the caller");
            row[c.is_real] = Val::ONE;
            row[c.first] = Val::from_bool(block == 0);
            row[c.last] = Val::from_bool(block == BLOCKS_PER_PAGE - 1);
            row[c.block] = Val::from_usize(block);
            row[c.block_inv] = (Val::from_usize(block) - Val::from_usize(BLOCKS_PER_PAGE - 1))
                .try_inverse()
                .unwrap_or(Val::ZERO);
            row[c.page] = Val::from_u32(page);
            for (col, b) in c.page_bytes.iter().zip(page.to_le_bytes()) {
                row[*col] = Val::from_u8(b);
            }
            row[c.is_page0] = Val::from_bool(page == 0);
            row[c.page_inv] = Val::from_u32(page).try_inverse().unwrap_or(Val::ZERO);
            if block == 0 {
                bytes.add_all(page.to_le_bytes()[..3].iter().map(|&b| b as u32));
                bytes.add((page >> 16) * 16);
                if let Some(p) = prev {
                    if page <= p {
                        return Err(TraceError::Diverged("pages out of order".into()));
                    }
                    let gap = page - p - 1;
                    row[c.has_prev] = Val::ONE;
                    for (col, b) in c.gap.iter().zip(gap.to_le_bytes()) {
                        row[*col] = Val::from_u8(b);
                        bytes.add(b as u32);
                    }
                }
            }
            let mut old_in = [Val::ZERO; WIDTH];
            let mut new_in = [Val::ZERO; WIDTH];
            for w in 0..WORDS_PER_BLOCK {
                let offset = 16 * block + 4 * w;
                let addr = (page << 10) + offset as u32;
                let word = |d: &[u8; PAGE_SIZE]| {
                    u32::from_le_bytes([d[offset], d[offset + 1], d[offset + 2], d[offset + 3]])
                };
                let (init, fin) = (word(data), word(end_data));
                let ts = match words.get(&addr) {
                    Some(log) => {
                        if checks == Checks::On && (log.init != init || log.value != fin) {
                            return Err(TraceError::Diverged(format!(
                                "word {addr:#x}: memory log {:#x} -> {:#x}, memory image {init:#x} -> {fin:#x}",
                                log.init, log.value
                            )));
                        }
                        log.ts
                    }
                    None => {
                        if checks == Checks::On && init != fin {
                            return Err(TraceError::Diverged(format!(
                                "word {addr:#x} changed without being accessed"
                            )));
                        }
                        0
                    }
                };
                for (i, b) in init.to_le_bytes().into_iter().enumerate() {
                    row[c.init[w][i]] = Val::from_u8(b);
                    bytes.add(b as u32);
                }
                for (i, b) in fin.to_le_bytes().into_iter().enumerate() {
                    row[c.fin[w][i]] = Val::from_u8(b);
                }
                row[c.fin_ts[w]] = Val::from_u32(ts);
                old_in[2 * w] = Val::from_u32(init & 0xffff);
                old_in[2 * w + 1] = Val::from_u32(init >> 16);
                new_in[2 * w] = Val::from_u32(fin & 0xffff);
                new_in[2 * w + 1] = Val::from_u32(fin >> 16);
            }
            old_in[RATE..].copy_from_slice(&old_cap);
            new_in[RATE..].copy_from_slice(&new_cap);
            for i in 0..RATE {
                row[c.old_cap[i]] = old_cap[i];
                row[c.new_cap[i]] = new_cap[i];
            }
            old_out = perms.apply(old_in);
            new_out = perms.apply(new_in);
            for i in 0..WIDTH {
                row[c.old_out[i]] = old_out[i];
                row[c.new_out[i]] = new_out[i];
            }
            old_cap.copy_from_slice(&old_out[RATE..]);
            new_cap.copy_from_slice(&new_out[RATE..]);
        }
        if checks == Checks::On
            && (digest_of(&old_out) != update.old_leaf || digest_of(&new_out) != update.new_leaf)
        {
            return Err(TraceError::Diverged(format!(
                "page {page:#x}: the memory log's leaves differ from the memory image's"
            )));
        }
        prev = Some(page);
    }
    for row in rows {
        row[c.is_page0] = Val::ONE;
    }
    Ok(RowMajorMatrix::new(values, c.width))
}

/// The Merkle table: the chain of page updates from the start root to the
/// end root.
pub fn merkle_trace(
    transition: &EpochTransition,
    log_height: usize,
    perms: &mut Permutations,
    checks: Checks,
) -> Result<RowMajorMatrix<Val>, TraceError> {
    let c = MerkleCols::new();
    let height = 1usize << log_height;
    let mut values = Val::zero_vec(height * c.width);
    let mut rows = values.chunks_exact_mut(c.width);
    let mut root = transition.start_root;
    for update in &transition.page_outs {
        let mut old = vals(&update.old_leaf);
        let mut new = vals(&update.new_leaf);
        let siblings = update.path.siblings();
        for (level, sibling) in siblings.iter().enumerate() {
            let row = rows
                .next()
                .expect("Merkle table height checked by the caller");
            let bit = (update.index >> level) & 1;
            row[c.is_real] = Val::ONE;
            row[c.first] = Val::from_bool(level == 0);
            row[c.last] = Val::from_bool(level == DEPTH - 1);
            row[c.level] = Val::from_usize(level);
            row[c.level_inv] = (Val::from_usize(level) - Val::from_usize(DEPTH - 1))
                .try_inverse()
                .unwrap_or(Val::ZERO);
            row[c.index] = Val::from_u32(update.index >> level);
            row[c.bit] = Val::from_u32(bit);
            let sib = vals(sibling);
            let mut parents = [[Val::ZERO; RATE]; 2];
            for (k, (cur, cols, out_cols)) in [(&old, c.old, c.old_out), (&new, c.new, c.new_out)]
                .into_iter()
                .enumerate()
            {
                let (left, right) = if bit == 0 { (*cur, sib) } else { (sib, *cur) };
                let mut input = [Val::ZERO; WIDTH];
                input[..RATE].copy_from_slice(&left);
                input[RATE..].copy_from_slice(&right);
                let out = perms.apply(input);
                for i in 0..RATE {
                    row[cols[i]] = cur[i];
                    parents[k][i] = out[i] + left[i];
                }
                for i in 0..WIDTH {
                    row[out_cols[i]] = out[i];
                }
            }
            for i in 0..RATE {
                row[c.sibling[i]] = sib[i];
                row[c.root[i]] = vals(&root)[i];
            }
            [old, new] = parents;
        }
        if checks == Checks::On && (digest_of(&old) != root || digest_of(&new) != update.root_after)
        {
            return Err(TraceError::Diverged(format!(
                "page {:#x}: Merkle path does not lead to the running root",
                update.index
            )));
        }
        root = update.root_after;
    }
    if checks == Checks::On && root != transition.end_root {
        return Err(TraceError::Diverged(
            "page updates do not end at the end root".into(),
        ));
    }
    for row in rows {
        for i in 0..RATE {
            row[c.root[i]] = vals(&root)[i];
        }
    }
    Ok(RowMajorMatrix::new(values, c.width))
}
