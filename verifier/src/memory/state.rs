//! The machine state digest and the image ID.

use p3_koala_bear::KoalaBear;

use super::hash::{sponge, RATE, STATE_DOMAIN};
use super::page::{encode_word, PAGE_SIZE};
use super::tree::root_from_leaves;
use crate::digest::Digest;
use crate::elf::Program;

use alloc::vec::Vec;

/// `H(pc, memory_root)`: one sponge permutation with capacity IV
/// `[STATE_DOMAIN, pc & 0xffff, pc >> 16, 0, 0, 0, 0, 0]` absorbing the root.
///
/// # Panics
/// If `root` is not canonical (roots computed here always are; roots read
/// from bytes are checked by [`Digest::from_bytes`]).
pub fn state_digest(pc: u32, root: &Digest) -> Digest {
    assert!(root.is_canonical(), "memory root must be canonical");
    let block: [KoalaBear; RATE] = root.0.map(KoalaBear::new);
    sponge(STATE_DOMAIN, encode_word(pc), [block])
}

/// The memory root of a program's initial state: segments loaded, `.bss` and
/// everything else zero, registers (page 0) zero.
pub fn initial_root(program: &Program) -> Digest {
    let mut pages: Vec<(u32, alloc::boxed::Box<[u8; PAGE_SIZE]>)> = Vec::new();
    for seg in program.segments() {
        // File bytes only; the zero tail (bss) needs no page.
        let mut addr = seg.vaddr;
        let mut data = &seg.data[..];
        while !data.is_empty() {
            let index = super::page::page_index(addr);
            let offset = (addr as usize) % PAGE_SIZE;
            let n = data.len().min(PAGE_SIZE - offset);
            // Segments are sorted and disjoint, so a page shared by two
            // segments is the last one pushed.
            if pages.last().map(|(i, _)| *i) != Some(index) {
                pages.push((index, alloc::boxed::Box::new([0u8; PAGE_SIZE])));
            }
            let page = &mut pages.last_mut().expect("just pushed").1;
            page[offset..offset + n].copy_from_slice(&data[..n]);
            data = &data[n..];
            addr += n as u32;
        }
    }
    let leaves = pages
        .iter()
        .map(|(i, p)| (*i, super::page::hash_page(p)))
        .collect();
    // A Program's segments are inside guest memory and disjoint, so page
    // indices are in range and unique.
    root_from_leaves(leaves).expect("Program invariants give valid page lists")
}

/// The image ID: the state digest of the program's initial state,
/// `state_digest(entry, initial_root(program))`.
pub fn image_id(program: &Program) -> Digest {
    state_digest(program.entry(), &initial_root(program))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memory::hash::permute;
    use crate::memory::page::hash_page;
    use crate::memory::tree::{memory_root, zero_digest, DEPTH};
    use alloc::string::ToString;
    use alloc::vec;

    /// `addi a0, x0, 0; addi a7, x0, 93; ecall` at 0x1_0000.
    fn exit0() -> Program {
        Program::from_words(0x1_0000, &[0x0000_0513, 0x05d0_0893, 0x0000_0073]).unwrap()
    }

    /// Known answer: pins the whole pipeline (encoding, sponge, tree, zero
    /// constants, state digest). If this changes, every image ID changes:
    /// that needs a PROTOCOL_VERSION bump and an updated docs/memory.md.
    #[test]
    fn image_id_known_answer() {
        assert_eq!(
            image_id(&exit0()).to_string(),
            "073ee31fc160801f6c863238d19b1463936be3461f0b1a36971b0e7a4dd83059"
        );
        assert_eq!(
            zero_digest(DEPTH).to_string(),
            "01cd0d7b831b4e1bb2e533285b3f086366d26878c92ec8344d5bb75994f04e7d"
        );
    }

    #[test]
    fn state_digest_matches_spec_with_raw_permutation() {
        let root = Digest([1, 2, 3, 4, 5, 6, 7, 0x7f00_0000]);
        let pc = 0xdead_beef;
        let mut state = [0u32; 16];
        state[..8].copy_from_slice(&root.0);
        state[8] = crate::memory::hash::STATE_DOMAIN;
        state[9] = 0xbeef;
        state[10] = 0xdead;
        assert_eq!(state_digest(pc, &root).0, permute(state)[..8]);
    }

    #[test]
    fn state_digest_binds_pc_and_root() {
        let root = zero_digest(DEPTH);
        let d = state_digest(0x1_0000, &root);
        assert_ne!(d, state_digest(0x1_0004, &root));
        assert_ne!(d, state_digest(0x1_0000 + (1 << 16), &root));
        let mut other = root;
        other.0[5] ^= 1;
        assert_ne!(d, state_digest(0x1_0000, &other));
        // Not the node compression of the same inputs, nor the root itself.
        assert_ne!(d, root);
    }

    #[test]
    fn image_id_is_the_state_digest_of_the_loaded_memory() {
        let p = exit0();
        let mut page = [0u8; PAGE_SIZE];
        for (i, w) in [0x0000_0513u32, 0x05d0_0893, 0x0000_0073]
            .iter()
            .enumerate()
        {
            page[4 * i..4 * i + 4].copy_from_slice(&w.to_le_bytes());
        }
        let zero = [0u8; PAGE_SIZE];
        // Page 0 (registers) explicitly zero, the code page at 0x1_0000 >> 10.
        let root = memory_root([(0, &zero), (0x40, &page)]).unwrap();
        assert_eq!(initial_root(&p), root);
        assert_eq!(image_id(&p), state_digest(0x1_0000, &root));
        assert_ne!(hash_page(&page), zero_digest(0));
    }

    #[test]
    fn different_programs_have_different_ids() {
        let base = image_id(&exit0());
        // Another instruction word.
        let p = Program::from_words(0x1_0000, &[0x0010_0513, 0x05d0_0893, 0x0000_0073]).unwrap();
        assert_ne!(image_id(&p), base);
        // Same words elsewhere.
        let p = Program::from_words(0x2_0000, &[0x0000_0513, 0x05d0_0893, 0x0000_0073]).unwrap();
        assert_ne!(image_id(&p), base);
        // Same memory, another entry point.
        let p = Program::from_segments(
            0x1_0004,
            vec![(0x1_0000, exit0().segments()[0].data.clone())],
        )
        .unwrap();
        assert_ne!(image_id(&p), base);
        // One more (zero-valued) data byte changes nothing in memory, so
        // nothing in the ID: the ID commits to memory contents.
        let mut data = exit0().segments()[0].data.clone();
        data.push(0);
        let p = Program::from_segments(0x1_0000, vec![(0x1_0000, data)]).unwrap();
        assert_eq!(image_id(&p), base);
    }

    #[test]
    fn segments_spanning_and_sharing_pages() {
        // One segment across a page boundary, a second one in the same page
        // as the first one's tail.
        let a: Vec<u8> = (0..PAGE_SIZE as u32 + 8).map(|i| i as u8 | 1).collect();
        let b = vec![0xaa; 4];
        let start = 0x1_0000 + PAGE_SIZE as u32 - 4;
        let b_addr = start + a.len() as u32 + 4;
        let p =
            Program::from_segments(start, vec![(start, a.clone()), (b_addr, b.clone())]).unwrap();
        let mut flat = alloc::collections::BTreeMap::<u32, [u8; PAGE_SIZE]>::new();
        for (addr, bytes) in [(start, &a), (b_addr, &b)] {
            for (k, byte) in bytes.iter().enumerate() {
                let x = addr + k as u32;
                flat.entry(x >> 10).or_insert([0; PAGE_SIZE])[(x as usize) % PAGE_SIZE] = *byte;
            }
        }
        assert_eq!(flat.len(), 3);
        let want = memory_root(flat.iter().map(|(i, p)| (*i, p))).unwrap();
        assert_eq!(initial_root(&p), want);
    }
}
