//! A subnet's epoch: gather the UIDs' storage into flat buffers, run the pure Yuma function,
//! store bonds and permits back, pay the drained pending emission out as stake, record.

use super::EngineError;
use super::components::*;
use super::events::{Event, EventQueue};
use crate::agents::miner::Quality;
use crate::chain::emission::RAO_PER_TAO;
use crate::chain::numeric::Numeric;
use crate::chain::yuma::{EpochInput, store_bonds_as_u16};
use crate::record::Role;
use bevy_ecs::prelude::*;
use bevy_ecs::query::QueryData;

/// The neuron storage an epoch reads and writes.
#[derive(QueryData)]
#[query_data(mutable)]
pub struct NeuronData {
    neuron: &'static Neuron,
    stake: &'static mut Stake,
    registration: &'static Registration,
    last_update: &'static LastUpdate,
    weights: &'static Weights,
    bonds: &'static mut Bonds,
    permit: &'static mut Permit,
    quality: Option<&'static Quality>,
    epoch_emission: &'static mut EpochEmission,
    earned: &'static mut Earned,
    commits: &'static Commits,
    coalition: Option<&'static Coalition>,
    cost: Option<&'static RegistrationCost>,
    root: Option<&'static RootStake>,
}

/// The subnet storage an epoch reads and writes.
type SubnetData<'a> = (
    &'a SubnetId,
    &'a SubnetRules,
    &'a mut EpochClock,
    &'a mut Pending,
    &'a Metagraph,
    &'a mut EpochBuffers,
    &'a mut Registrar,
    &'a mut WeightCalls,
    Option<&'a mut super::coinbase::Economy>,
);

/// Run the epoch of `subnet` at the current block and schedule the next one.
#[expect(
    clippy::too_many_arguments,
    reason = "a bevy system takes its resources and queries as parameters"
)]
pub fn run_epoch(
    In(subnet): In<Entity>,
    clock: Res<Clock>,
    policy: Res<RecordPolicy>,
    numeric: Res<NumericMode>,
    economics: Option<Res<super::coinbase::Economics>>,
    mut shadow: Option<ResMut<ShadowDifference>>,
    mut queue: ResMut<EventQueue>,
    mut recorder: ResMut<Recorder>,
    mut subnets: Query<SubnetData>,
    mut neurons: Query<NeuronData>,
) -> Result<(), EngineError> {
    let Ok((
        netuid,
        rules,
        mut epoch_clock,
        mut pending,
        metagraph,
        mut buffers,
        mut registrar,
        mut calls,
        mut economy,
    )) = subnets.get_mut(subnet)
    else {
        return Ok(());
    };
    let block = clock.block;
    let buffers = &mut *buffers;
    // τ: root stake counts `τ × R` toward stake weight and takes root dividends (spec §1.5).
    let tao_weight = economics.map_or(0.0, |e| e.settings.tao_weight);

    // Gather, in UID order.
    let n = metagraph.uids.len();
    buffers.stake.clear();
    buffers.last_update.clear();
    buffers.registered.clear();
    buffers.permit.clear();
    buffers.earliest_commit.clear();
    buffers.holders.clear();
    buffers.weights.resize_with(n, Vec::new);
    buffers.bonds.resize_with(n, Vec::new);
    for (uid, &entity) in metagraph.uids.iter().enumerate() {
        let n = neurons
            .get(entity)
            .map_err(|_| EngineError::MissingNeuron {
                netuid: netuid.0,
                uid,
            })?;
        let root = n.root.map_or(0, |r| r.0);
        // Own alpha and root stake for the dividend split; the weight comes from the epoch.
        buffers.holders.push(crate::chain::dividends::Holder {
            weight: 0,
            alpha: n.stake.0,
            root,
        });
        // `raw_i = α_i + τ·R_i` (without root stake exactly the alpha stake: x + 0 = x).
        buffers
            .stake
            .push(n.stake.0 as f64 + tao_weight * root as f64);
        buffers.last_update.push(n.last_update.0);
        buffers.registered.push(n.registration.0);
        buffers.permit.push(n.permit.0);
        buffers.weights[uid].clone_from(&n.weights.0);
        buffers.bonds[uid].clone_from(&n.bonds.0);
        buffers
            .earliest_commit
            .push(n.commits.0.iter().map(|c| c.block).min());
    }
    if rules.reveal_period.is_some() {
        super::commit_reveal::mask_columns(
            &mut buffers.weights,
            &buffers.earliest_commit,
            &buffers.registered,
        );
    }

    // The epoch distributes `Ps + Pv + Pr` (spec §4.8): miners' incentive is half of it, root's
    // part is then set aside from the validators' half.
    let emission = pending.server + pending.validator + pending.root;
    let input = EpochInput {
        block,
        tempo: rules.tempo,
        last_mechanism_step_block: epoch_clock.last_mechanism_step_block,
        owner_uid: metagraph.owner,
        stake: &buffers.stake,
        last_update: &buffers.last_update,
        block_at_registration: &buffers.registered,
        validator_permit: &buffers.permit,
        weights: &buffers.weights,
        bonds: &buffers.bonds,
        emission,
    };
    // f64 keeps the fractions of `rules.yuma` (its stake threshold unrounded); chain runs the
    // chain's fixed-point epoch on the same storage (stake and emission in rao, weights as
    // stored u16, bonds as stored u16 / 65535).
    match numeric.0 {
        Numeric::F64 => buffers
            .workspace
            .run(&input, &rules.yuma, &mut buffers.output),
        Numeric::Chain => {
            buffers
                .workspace
                .run_numeric(Numeric::Chain, &input, &rules.chain, &mut buffers.output)
        }
    }
    .map_err(|source| EngineError::Epoch {
        netuid: netuid.0,
        block,
        source,
    })?;
    if let Some(shadow) = shadow.as_deref_mut() {
        buffers
            .workspace
            .run(&input, &rules.yuma, &mut buffers.shadow)
            .map_err(|source| EngineError::Epoch {
                netuid: netuid.0,
                block,
                source,
            })?;
        store_bonds_as_u16(&mut buffers.shadow.bonds);
        shadow.record(&buffers.output, &buffers.shadow);
    }
    // Bonds are stored as the chain stores them, u16 (chain mode returns them so already).
    store_bonds_as_u16(&mut buffers.output.bonds);
    let out = &buffers.output;

    // Distribution (spec §4.8): incentive amounts straight from the epoch; dividends only as
    // weights over the validators' pot, which takes the miners' pot when no miner earned.
    let server_total: u64 = out.server_emission.iter().sum();
    let mut validator_pot = pending.validator;
    if server_total == 0 {
        validator_pot += pending.server;
    }
    let validator_pot =
        validator_pot.min(emission - pending.root - server_total.min(emission - pending.root));
    // Alpha and root dividends (spec §4.8 step 5): each hotkey's dividend weight against its own
    // alpha and root stake, before this epoch's pay-out.
    for (holder, &weight) in buffers.holders.iter_mut().zip(&out.validator_emission) {
        holder.weight = weight;
    }
    crate::chain::dividends::share(
        validator_pot,
        pending.root,
        tao_weight,
        &buffers.holders,
        &mut buffers.dividends,
    );
    let dividends = &buffers.dividends;
    // Root alpha no validator here earned stays with root stakers elsewhere (the aggregate).
    let root_elsewhere = if dividends.root_paid { 0 } else { pending.root };

    let record = &mut recorder.0;
    let epoch = epoch_clock.epochs + 1;
    let keep_rows = policy.keeps(epoch, block, rules.tempo);
    let (mut paid_miners, mut paid_validators, mut total_stake, mut quality_sum, mut miners) =
        (0u64, 0u64, 0u64, 0.0, 0u32);
    let mut burned = 0u64;
    for (uid, &entity) in metagraph.uids.iter().enumerate() {
        let NeuronDataItem {
            neuron,
            mut stake,
            mut bonds,
            mut permit,
            quality,
            mut epoch_emission,
            mut earned,
            coalition,
            cost,
            root,
            ..
        } = neurons
            .get_mut(entity)
            .map_err(|_| EngineError::MissingNeuron {
                netuid: netuid.0,
                uid,
            })?;
        // Root's pot is not the miners': when miners take all (no dividends), they take at most
        // the subnet's own halves.
        let incentive_rao = if server_total > emission - pending.root {
            (out.server_emission[uid] as u128 * (emission - pending.root) as u128
                / server_total as u128) as u64
        } else {
            out.server_emission[uid]
        };
        // Root dividends are staked as alpha to the hotkey, as if every root staker claimed
        // with `Keep` (README, "Differences from the chain").
        let dividend_rao = dividends.alpha[uid] + dividends.root[uid];
        // Incentive on an owner hotkey is burned, not paid (spec §4.9).
        let (incentive_rao, burned_rao) = if neuron.role == Role::Owner {
            (0, incentive_rao)
        } else {
            (incentive_rao, 0)
        };
        burned += burned_rao;
        paid_miners += incentive_rao;
        paid_validators += dividend_rao;
        let used_stake = stake.0;
        let paid = incentive_rao + dividend_rao;
        // Emission is staked to the hotkey that earned it (as on chain), so stake compounds.
        stake.0 = stake.0.saturating_add(paid);
        earned.0 = earned.0.saturating_add(paid);
        total_stake = total_stake.saturating_add(stake.0);
        bonds.0.clone_from(&out.bonds[uid]);
        // Pruning ranks UIDs by the epoch's combined emission (`Emission` on chain).
        epoch_emission.0 = out.server_emission[uid] + out.validator_emission[uid];
        let used_permit = permit.0;
        permit.0 = out.new_validator_permit[uid];
        if let Some(q) = quality {
            quality_sum += q.value;
            miners += 1;
        }

        if keep_rows {
            let rows = &mut record.neurons;
            rows.arm.push(record.arm);
            rows.run.push(record.run);
            rows.subnet.push(netuid.0);
            rows.epoch.push(epoch);
            rows.block.push(block);
            rows.uid.push(uid as u16);
            rows.hotkey.push(neuron.hotkey);
            rows.role.push(neuron.role);
            rows.strategy.push(neuron.strategy);
            rows.coalition.push(coalition.map(|c| c.0));
            rows.registration_burn_rao.push(cost.map_or(0, |c| c.0));
            rows.stake.push(used_stake as f64 / RAO_PER_TAO as f64);
            rows.root_stake
                .push(root.map_or(0, |r| r.0) as f64 / RAO_PER_TAO as f64);
            rows.consensus.push(out.consensus[uid]);
            rows.incentive.push(out.incentive[uid]);
            rows.dividends.push(out.dividends[uid]);
            rows.validator_trust.push(out.validator_trust[uid]);
            rows.quality.push(quality.map(|q| q.value));
            rows.validator_permit.push(used_permit);
            rows.emission.push(paid as f64 / RAO_PER_TAO as f64);
            rows.emission_rao.push(paid);
            rows.emission_total
                .push(earned.0 as f64 / RAO_PER_TAO as f64);
            rows.emission_total_rao.push(earned.0);
        }
    }

    let dust = pending.dust + emission - root_elsewhere - paid_miners - paid_validators - burned;
    let subnets_rows = &mut record.subnets;
    subnets_rows.arm.push(record.arm);
    subnets_rows.run.push(record.run);
    subnets_rows.subnet.push(netuid.0);
    subnets_rows.epoch.push(epoch);
    subnets_rows.block.push(block);
    subnets_rows.neurons.push(n as u32);
    subnets_rows
        .permitted_validators
        .push(buffers.permit.iter().filter(|p| **p).count() as u32);
    subnets_rows.emission_rao.push(emission);
    subnets_rows.miner_emission_rao.push(paid_miners);
    subnets_rows.validator_emission_rao.push(paid_validators);
    subnets_rows.owner_cut_rao.push(pending.owner_cut);
    subnets_rows.dust_rao.push(dust);
    subnets_rows
        .total_stake
        .push(total_stake as f64 / RAO_PER_TAO as f64);
    subnets_rows.registrations.push(registrar.registrations);
    subnets_rows.registrations_refused.push(registrar.refused);
    subnets_rows
        .registration_burn_rao
        .push(registrar.burned_rao);
    let burn_now = registrar
        .rules
        .decay(registrar.burn, block.saturating_sub(registrar.burn_block));
    subnets_rows.burn_rao.push(burn_now);
    // Keep the decayed price: the next epoch decays from here, not from the last registration
    // (the same per-block steps, without repeating them every epoch).
    (registrar.burn, registrar.burn_block) = (burn_now, block);
    if let Some(econ) = economy.as_deref_mut() {
        // `MinerBurned` (spec §4.2): the part of this epoch's incentive burned on owner hotkeys.
        let incentive = paid_miners + burned;
        econ.miner_burned = if incentive > 0 {
            burned as f64 / incentive as f64
        } else {
            0.0
        };
        // Registrations' burn enters the pool (the chain swaps it and destroys the alpha).
        let fee = econ.registration_burn(registrar.burned_rao);
        if econ.active {
            record.totals.fees_rao += fee;
            record.totals.pool_in_rao += registrar.burned_rao - fee.min(registrar.burned_rao);
        }
    }
    record.totals.registration_burn_rao += registrar.burned_rao;
    record.totals.root_alpha_rao += root_elsewhere;
    (
        registrar.registrations,
        registrar.refused,
        registrar.burned_rao,
    ) = (0, 0, 0);
    subnets_rows.weights_set.push(calls.accepted);
    subnets_rows.weights_rejected.push(calls.rejected);
    *calls = WeightCalls::default();
    subnets_rows.mean_miner_quality.push(if miners > 0 {
        quality_sum / miners as f64
    } else {
        0.0
    });
    subnets_rows.miners.push(miners);
    super::coinbase::record_epoch(economy.as_deref_mut(), subnets_rows);

    let totals = &mut record.totals;
    totals.miners_rao += paid_miners;
    totals.owner_burned_rao += burned;
    totals.validators_rao += paid_validators;
    totals.owner_cut_rao += pending.owner_cut;
    totals.dust_rao += dust;
    record.epochs += 1;

    *pending = Pending::default();
    epoch_clock.last_mechanism_step_block = block;
    epoch_clock.epochs = epoch;
    epoch_clock.next_epoch_block = block + rules.tempo;
    queue.schedule(epoch_clock.next_epoch_block, Event::Epoch(subnet));
    Ok(())
}
