//! The memory commitment (architecture brief §3), shared by prover and
//! verifier: a Poseidon2 Merkle tree over fixed-size pages of the whole
//! 32-bit address space, the state digest `H(pc, memory_root)` and the image
//! ID. `docs/memory.md` is the exact specification; this module is its
//! reference implementation.
//!
//! - [`hash`]: the permutation, the sponge (leaves, state digest) and the
//!   2-to-1 node compression, with their domain separation;
//! - [`page`]: pages and the injective word → field-element encoding;
//! - [`tree`]: zero-subtree constants, sparse roots, Merkle paths;
//! - [`state`]: state digest and image ID.

pub mod hash;
pub mod page;
pub mod state;
pub mod tree;

pub use page::{encode_word, hash_page, page_index, PAGE_SIZE, PAGE_SIZE_LOG2, WORDS_PER_PAGE};
pub use state::{image_id, initial_root, state_digest};
pub use tree::{
    memory_root, update_root, verify_path, zero_digest, MerkleError, MerklePath, DEPTH, NUM_PAGES,
};
