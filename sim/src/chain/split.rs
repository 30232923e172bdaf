//! How one block's emission is divided, in integer rao so that nothing is created or lost:
//! among subnets by their shares, then inside a subnet into the owner cut and the miner and
//! validator halves (spec §4.5).

/// `SubnetOwnerCut` default, 11,796 / 65,535 ≈ 18 %.
pub const DEFAULT_OWNER_CUT: u16 = 11_796;

/// Split `amount` rao in proportion to `weights` with the largest-remainder rule; ties go to the
/// lower index. The parts always sum to `amount` exactly. All-zero (or empty) weights give
/// all-zero parts (the caller recycles the amount, as the chain does when no subnet can emit).
pub fn proportional(amount: u64, weights: &[f64], parts: &mut Vec<u64>) {
    parts.clear();
    let total: f64 = weights.iter().map(|w| w.max(0.0)).sum();
    if total <= 0.0 || !total.is_finite() {
        parts.resize(weights.len(), 0);
        return;
    }
    let mut remainders: Vec<(f64, usize)> = Vec::with_capacity(weights.len());
    let mut assigned = 0u64;
    for (i, w) in weights.iter().enumerate() {
        let exact = amount as f64 * (w.max(0.0) / total);
        let floor = (exact.floor() as u64).min(amount - assigned);
        assigned += floor;
        parts.push(floor);
        remainders.push((exact - floor as f64, i));
    }
    // Hand the leftover rao to the largest remainders; the order is total and deterministic.
    remainders.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut left = amount - assigned;
    for &(_, i) in remainders.iter().cycle().take(weights.len() * 2) {
        if left == 0 {
            break;
        }
        if weights[i] > 0.0 {
            parts[i] += 1;
            left -= 1;
        }
    }
    // Float error can leave more than 2 × len rao only for absurd amounts; give it to the first
    // positive weight so the sum stays exact.
    if left > 0
        && let Some(i) = weights.iter().position(|w| *w > 0.0)
    {
        parts[i] += left;
    }
}

/// One subnet's share of one block, divided as `emit_to_subnets` does it (without root stake:
/// `root_prop = 0`, so validators keep the whole validator half).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BlockSplit {
    /// `floor(A × cut / 65535)`: the subnet owner's cut.
    pub owner_cut: u64,
    /// `floor((A − cut) / 2)`: pending miner (server) emission.
    pub server: u64,
    /// `floor((A − cut) / 2)`: pending validator emission (equal to `server`; on chain both halves
    /// are taken from the same fixed-point value before flooring).
    pub validator: u64,
    /// The 0–2 rao lost to flooring. On chain it is never minted; here it is recorded so that
    /// emission is conserved to the rao.
    pub dust: u64,
}

/// Divide `amount` rao of a subnet's block emission with owner cut `owner_cut` (u16 proportion).
pub fn subnet_block(amount: u64, owner_cut: u16) -> BlockSplit {
    let scaled = amount as u128 * 65_535;
    let cut_scaled = amount as u128 * owner_cut as u128;
    let owner_cut_rao = (cut_scaled / 65_535) as u64;
    // (A − cut) / 2 with A − cut = (amount·65535 − amount·cut) / 65535, kept exact.
    let half = ((scaled - cut_scaled) / (2 * 65_535)) as u64;
    BlockSplit {
        owner_cut: owner_cut_rao,
        server: half,
        validator: half,
        dust: amount - owner_cut_rao - 2 * half,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 1 TAO with the default cut: cut = floor(1e9 × 11796 / 65535) = 179,995,422 (hand
    /// computed: 11796/65535 = 0.1799954223…); A − cut = 820,004,577.67 → halves
    /// floor(410,002,288.83) = 410,002,288, dust = 1e9 − 179,995,422 − 2 × 410,002,288 = 2.
    #[test]
    fn one_tao_default_cut() {
        let s = subnet_block(1_000_000_000, DEFAULT_OWNER_CUT);
        assert_eq!(s.owner_cut, 179_995_422);
        assert_eq!(s.server, 410_002_288);
        assert_eq!(s.validator, 410_002_288);
        assert_eq!(s.dust, 2);
        assert_eq!(s.owner_cut + s.server + s.validator + s.dust, 1_000_000_000);
    }

    #[test]
    fn proportional_parts_sum_exactly() {
        let mut parts = Vec::new();
        proportional(10, &[1.0, 1.0, 1.0], &mut parts);
        assert_eq!(parts, vec![4, 3, 3]);
        proportional(7, &[0.0, 2.0, 0.0], &mut parts);
        assert_eq!(parts, vec![0, 7, 0]);
        proportional(7, &[0.0, 0.0], &mut parts);
        assert_eq!(parts, vec![0, 0]);
    }

    proptest::proptest! {
        #[test]
        fn splits_conserve_rao(
            amount in 0u64..2_000_000_000_000,
            cut in proptest::num::u16::ANY,
            weights in proptest::collection::vec(0.0f64..10.0, 1..20),
        ) {
            let s = subnet_block(amount, cut);
            proptest::prop_assert_eq!(s.owner_cut + s.server + s.validator + s.dust, amount);
            proptest::prop_assert!(s.dust <= 2);
            let mut parts = Vec::new();
            proportional(amount, &weights, &mut parts);
            let sum: u64 = parts.iter().sum();
            if weights.iter().any(|w| *w > 0.0) {
                proptest::prop_assert_eq!(sum, amount);
            } else {
                proptest::prop_assert_eq!(sum, 0);
            }
        }
    }
}
