//! `prover params`: the proof parameters and their security, round by round.

use sluice_verifier::params::{ProofParams, MIN_SECURITY_BITS};
use sluice_verifier::security::{epoch_shape, report, term_bits};

use sluice_prover::host::{LONG_EPOCH_LOG2, SHORT_RUN_LOG2};

use super::{exit, Favor};

pub const LONG_HELP: &str = "\
Prints the proof parameters `prove` uses, the conjectured security that
Plonky3's own calculator (p3_security::budget::security_report) gives for
them on the real epoch tables at the largest heights the verifier accepts,
round by round with the grinding credited to each, and (with --tables) the
shape of every table the figure is computed from.

Exit status:
  0  printed

Example:
  prover params --tables
  prover params --zk
  prover params --favor size
  prover params --favor short";

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Also print each table's shape (width, constraints, lookups, ...).
    #[arg(long)]
    pub tables: bool,
    /// The parameters and security of zero-knowledge mode (`prove --zk`).
    #[arg(long)]
    pub zk: bool,
    /// The parameters `prove --favor` uses: balance (default), long, speed,
    /// size or short (`auto` picks short, balance or long by the run's
    /// length and epoch size).
    #[arg(long, value_enum, default_value_t = Favor::Balance)]
    pub favor: Favor,
}

pub fn run(args: Args, params: ProofParams) -> u8 {
    let params = args.favor.apply(ProofParams {
        zk: params.zk || args.zk,
        ..params
    });
    print!("{}", describe(&params, args.tables));
    if args.favor == Favor::Auto {
        println!(
            "(prove --favor auto uses these for runs longer than one epoch of 2^{SHORT_RUN_LOG2} \
             cycles in epochs shorter than 2^{LONG_EPOCH_LOG2}, --favor long's for longer epochs \
             and --favor short's for shorter runs: prover params --favor long|short)"
        );
    }
    exit::OK
}

/// The text `prover params` prints.
pub fn describe(params: &ProofParams, tables: bool) -> String {
    let r = report(params);
    let shape = epoch_shape(params);
    let fields: Vec<String> = params
        .named_fields()
        .iter()
        .map(|(name, v)| format!("{name} {v}"))
        .collect();
    let mut out = format!("proof parameters: {}\n", fields.join(", "));
    out += &format!(
        "conjectured security: {} bits (Plonky3 p3_security round budget, tables at 2^{} rows; at least {MIN_SECURITY_BITS} required)\n",
        r.security_level(),
        shape.log_max_height
    );
    let binding = r.binding_term().label;
    for t in r.terms() {
        let mark = if t.label == binding { "  <- binds" } else { "" };
        out += &format!("  {:<24} {:>7.2}{mark}\n", t.label, term_bits(t.bits));
    }
    if tables {
        out += "tables (width / constraints / degree / quotient chunks / lookup columns / fractions / widest message):\n";
        let name_width = shape.tables.iter().map(|t| t.name.len()).max().unwrap_or(0);
        for t in &shape.tables {
            out += &format!(
                "  {:<name_width$} {:>4} {:>5} {:>2} {:>2} {:>3} {:>3} {:>3}\n",
                t.name,
                t.width,
                t.num_constraints,
                t.max_constraint_degree,
                t.num_quotient_chunks,
                t.num_lookups,
                t.num_fractions,
                t.max_message_width
            );
        }
        let a = &shape.air;
        out += &format!(
            "  all: {} composed constraints, {} batched openings, {} fractions per row\n",
            a.num_composed_constraints,
            a.num_deep_terms.unwrap_or(0),
            a.lookup.map_or(0, |l| l.fractions_per_row)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_description_names_every_round_and_the_level() {
        let text = describe(&ProofParams::DEFAULT, true);
        let bits = ProofParams::DEFAULT.conjectured_security_bits();
        assert!(text.contains(&format!("conjectured security: {bits} bits")));
        for label in [
            "lookup-challenge",
            "deep-composition",
            "fri-folding",
            "fri-query",
        ] {
            assert!(text.contains(label), "{label}");
        }
        assert!(text.contains("<- binds"));
        assert!(text.contains("poseidon2"));
    }

    #[test]
    fn zk_description_has_its_own_figure_and_heights() {
        let text = describe(&ProofParams::DEFAULT_ZK, false);
        let bits = ProofParams::DEFAULT_ZK.conjectured_security_bits();
        assert!(bits >= MIN_SECURITY_BITS);
        assert!(text.contains(&format!("conjectured security: {bits} bits")));
        assert!(text.contains("zk 1"), "{text}");
        assert!(text.contains("tables at 2^21 rows"), "{text}");
    }
}
