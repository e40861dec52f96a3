//! Opening lean commitments: the claimed values, the DEEP reduction and
//! FRI, in the order and with the arithmetic results of Plonky3's PCS.
//!
//! For a matrix of LDE height `N` with columns `f_k`, opened at points `z`,
//! FRI's input at height `N` is, over the LDE points `x`,
//!
//! `Σ_(matrix, z) (W_z − r_z · Σ_k α^(o+k) f_k(x)) / (z − x)`
//!
//! with `W_z` the α-combination of the claimed values. The inner sum is
//! linear in the columns, so it is formed on the first coset (a quarter of
//! the rows at blowup 4) and every matrix opened at the same point and
//! height shares one extension-field polynomial, extended to the LDE
//! domain by one inverse and one forward DFT per height. Field arithmetic is exact, so the sums equal
//! Plonky3's row by row and the proof is the same.

use core::marker::PhantomData;

use p3_commit::{OpenedValues, OpeningRequest};
use p3_field::{
    batch_multiplicative_inverse, dot_product, BasedVectorSpace, ExtensionField, Field,
    PackedFieldExtension, PackedValue, PrimeCharacteristicRing,
};
use p3_fri::{
    prover::prove_fri, FriParameters, FriProverError, PcsProverTranscript, PcsShape,
    TwoAdicFriFolding, TwoAdicFriFoldingForMmcs,
};
use p3_matrix::dense::RowMajorMatrix;
use p3_matrix::interpolation::{compute_adjusted_weights, Interpolate};
use p3_matrix::Matrix;
use p3_maybe_rayon::prelude::*;
use p3_util::{log2_strict_usize, reverse_bits_len};
use sluice_verifier::stark::config::{Challenge, ChallengeMmcs, Challenger, Val};

use super::lde::bit_reversed_coset;
use super::{LeanLde, LeanMmcs, LeanPcs, LeanTree};

type Proof = <LeanPcs as p3_commit::Pcs<Challenge, Challenger>>::Proof;

/// The reduction of every matrix opened at `point` with LDE height
/// `2^log_height`: the constant, and the polynomial part on the first
/// coset (bit-reversed).
struct Group {
    log_height: usize,
    point: Challenge,
    constant: Challenge,
    polynomial: Vec<Challenge>,
}

pub(super) fn open(
    pcs: &LeanPcs,
    requests: Vec<OpeningRequest<'_, LeanTree, Challenge>>,
    challenger: &mut Challenger,
) -> Result<(OpenedValues<Challenge>, Proof), FriProverError> {
    let matrices: Vec<Vec<&LeanLde>> = requests
        .iter()
        .map(|request| pcs.mmcs.leaves(request.prover_data))
        .collect();
    for matrix in matrices.iter().flatten() {
        check_input_height(&pcs.fri, log2_strict_usize(matrix.height()))?;
    }
    let log_global_max_height = matrices
        .iter()
        .flatten()
        .map(|m| log2_strict_usize(m.height()))
        .max()
        .expect("an opening of no matrix");

    let opened = opened_values(&requests, &matrices);

    let mut transcript = PcsProverTranscript::<Challenger, Val, Challenge>::new(
        challenger,
        PcsShape::from_opened_values(&pcs.fri, &opened),
    );
    transcript.claimed_openings(&opened);
    let (alpha, batch_pow_witness) = transcript.batch_phase();
    let batch_pow_witness = batch_pow_witness.unwrap_or(Val::ZERO);

    let mut by_height: Vec<Vec<Group>> = (0..=log_global_max_height).map(|_| Vec::new()).collect();
    for group in reduction_groups(&requests, &matrices, &opened, alpha) {
        by_height[group.log_height].push(group);
    }
    let mut reduced: Vec<Option<Vec<Challenge>>> = by_height
        .into_iter()
        .enumerate()
        .map(|(log_height, groups)| {
            (!groups.is_empty()).then(|| evaluate_height(pcs, log_height, groups))
        })
        .collect();
    // Every committed height is an input of FRI, as in Plonky3's PCS, even
    // one whose matrices are opened at no point (its input is then zero).
    for matrix in matrices.iter().flatten() {
        let log_height = log2_strict_usize(matrix.height());
        reduced[log_height].get_or_insert_with(|| Challenge::zero_vec(matrix.height()));
    }
    let fri_input: Vec<Vec<Challenge>> = reduced.into_iter().rev().flatten().collect();

    let folding: TwoAdicFriFoldingForMmcs<Val, LeanMmcs> = TwoAdicFriFolding(PhantomData);
    let proof = transcript.delegate(|challenger| {
        prove_fri(
            &folding,
            &pcs.fri,
            fri_input,
            challenger,
            log_global_max_height,
            &requests,
            &pcs.mmcs,
            batch_pow_witness,
        )
    });
    match proof {
        Ok(proof) => {
            transcript.finish();
            Ok((opened, proof))
        }
        Err(error) => {
            transcript.abort();
            Err(error)
        }
    }
}

/// FRI cannot take an input no taller than its final polynomial's LDE;
/// refused before anything is absorbed, as Plonky3's PCS refuses it.
fn check_input_height(
    fri: &FriParameters<ChallengeMmcs>,
    log_input_height: usize,
) -> Result<(), FriProverError> {
    if fri.log_final_poly_len == 0 {
        return Ok(());
    }
    let log_final_height = fri
        .log_final_poly_len
        .checked_add(fri.log_blowup)
        .ok_or(FriProverError::FinalHeightOverflow)?;
    if log_input_height <= log_final_height {
        return Err(FriProverError::InputHeightTooSmall {
            log_input_height,
            log_final_height,
        });
    }
    Ok(())
}

/// Every matrix's columns at each of its points, interpolated from its
/// first coset as Plonky3's PCS interpolates them.
fn opened_values(
    requests: &[OpeningRequest<'_, LeanTree, Challenge>],
    matrices: &[Vec<&LeanLde>],
) -> OpenedValues<Challenge> {
    // The weights of each point over the largest coset it is needed on; a
    // smaller coset's are a prefix (bit-reversed order).
    let mut weights: Vec<(Challenge, usize, Vec<Challenge>)> = Vec::new();
    for (request, matrices) in requests.iter().zip(matrices) {
        for (matrix, points) in matrices.iter().zip(&request.points) {
            for &z in points {
                match weights.iter_mut().find(|(p, _, _)| *p == z) {
                    Some(entry) => entry.1 = entry.1.max(matrix.log_degree()),
                    None => weights.push((z, matrix.log_degree(), Vec::new())),
                }
            }
        }
    }
    for (z, log_n, w) in &mut weights {
        let xs = bit_reversed_coset(*log_n);
        let denominators: Vec<Challenge> = xs.par_iter().map(|&x| *z - x).collect();
        *w = compute_adjusted_weights(*z, &batch_multiplicative_inverse(&denominators));
    }
    requests
        .iter()
        .zip(matrices)
        .map(|(request, matrices)| {
            matrices
                .iter()
                .zip(&request.points)
                .map(|(matrix, points)| {
                    let first = matrix.first_coset();
                    points
                        .iter()
                        .map(|&z| {
                            let (_, _, w) = weights
                                .iter()
                                .find(|(p, _, _)| *p == z)
                                .expect("weights for every point");
                            first.interpolate_coset_with_precomputation(
                                Val::GENERATOR,
                                z,
                                &w[..first.height()],
                            )
                        })
                        .collect()
                })
                .collect()
        })
        .collect()
}

/// The α-combinations, grouped by height and point in first-use order.
fn reduction_groups(
    requests: &[OpeningRequest<'_, LeanTree, Challenge>],
    matrices: &[Vec<&LeanLde>],
    opened: &OpenedValues<Challenge>,
    alpha: Challenge,
) -> Vec<Group> {
    let max_width = matrices
        .iter()
        .flatten()
        .map(|m| m.width())
        .max()
        .unwrap_or(0);
    let packed_alpha_powers =
        <Challenge as ExtensionField<Val>>::ExtensionPacking::packed_ext_powers_capped(
            alpha, max_width,
        )
        .collect::<Vec<_>>();
    let mut num_reduced = [0usize; 64];
    let mut groups: Vec<Group> = Vec::new();
    for ((request, matrices), opened_round) in requests.iter().zip(matrices).zip(opened) {
        for ((matrix, points), openings) in matrices.iter().zip(&request.points).zip(opened_round) {
            let log_height = log2_strict_usize(matrix.height());
            let width = matrix.width();
            let first_offset = alpha.exp_u64(num_reduced[log_height] as u64);
            let offset_powers: Vec<_> = packed_alpha_powers
                [..width.div_ceil(<Val as Field>::Packing::WIDTH)]
                .iter()
                .map(|&p| p * first_offset)
                .collect();
            // `first_offset · Σ_k α^k f_k(x)` on the first coset.
            let compressed: Vec<Challenge> = matrix
                .first_coset()
                .rowwise_packed_dot_product::<Challenge>(&offset_powers)
                .collect();
            for (point_index, (&point, values)) in points.iter().zip(openings).enumerate() {
                let offset = alpha.exp_u64(num_reduced[log_height] as u64);
                let constant =
                    offset * dot_product::<Challenge, _, _>(alpha.powers(), values.iter().copied());
                let rescale = alpha.exp_u64((point_index * width) as u64);
                let group = match groups
                    .iter()
                    .position(|g| g.log_height == log_height && g.point == point)
                {
                    Some(i) => &mut groups[i],
                    None => {
                        groups.push(Group {
                            log_height,
                            point,
                            constant: Challenge::ZERO,
                            polynomial: vec![Challenge::ZERO; compressed.len()],
                        });
                        groups.last_mut().expect("just pushed")
                    }
                };
                group.constant += constant;
                group
                    .polynomial
                    .par_iter_mut()
                    .zip(&compressed)
                    .for_each(|(acc, &c)| *acc += rescale * c);
                num_reduced[log_height] += width;
            }
        }
    }
    groups
}

/// `Σ_groups (W − C(x)) / (z − x)` over the LDE points of one height, in
/// bit-reversed order. One inverse and one forward DFT extend every
/// group's combination `C` at once, as columns of one matrix; the
/// inverses of `z − x` are taken a chunk of rows at a time.
fn evaluate_height(pcs: &LeanPcs, log_height: usize, groups: Vec<Group>) -> Vec<Challenge> {
    const DIMENSION: usize = <Challenge as BasedVectorSpace<Val>>::DIMENSION;
    let height = 1usize << log_height;
    let n = groups[0].polynomial.len();
    let log_n = log2_strict_usize(n);
    let width = groups.len() * DIMENSION;
    // Natural order on the first coset, each group's coordinates side by side.
    let mut on_first_coset = Val::zero_vec(n * width);
    on_first_coset
        .par_chunks_mut(width)
        .enumerate()
        .for_each(|(i, row)| {
            let source = reverse_bits_len(i, log_n);
            for (group, out) in groups.iter().zip(row.chunks_mut(DIMENSION)) {
                out.copy_from_slice(group.polynomial[source].as_basis_coefficients_slice());
            }
        });
    // From `gH` to `gK`, bit-reversed as the LDEs are stored.
    let flat = RowMajorMatrix::new(on_first_coset, width);
    let evaluations = pcs.dft.lde_bit_reversed(flat, log_height - log_n, Val::ONE);

    let points = bit_reversed_coset(log_height);
    let mut values = Challenge::zero_vec(height);
    const CHUNK: usize = 1 << 12;
    values
        .par_chunks_mut(CHUNK)
        .zip(points.par_chunks(CHUNK))
        .zip(evaluations.values.par_chunks(CHUNK * width))
        .for_each(|((values, points), rows)| {
            for (g, group) in groups.iter().enumerate() {
                let denominators: Vec<Challenge> =
                    points.iter().map(|&x| group.point - x).collect();
                let inverses = batch_multiplicative_inverse(&denominators);
                for ((v, inverse), row) in values.iter_mut().zip(inverses).zip(rows.chunks(width)) {
                    let c = Challenge::from_basis_coefficients_fn(|k| row[g * DIMENSION + k]);
                    *v += (group.constant - c) * inverse;
                }
            }
        });
    values
}
