//! The rehearsal drill: a ticket rush through the Stripe API (some cards declined, a few buyers
//! paying twice, a promo code used), real RTMP viewers pulling the stream while it is live (so
//! nginx-rtmp's `/stat` counts them), and support mail in English and French arriving in the
//! mailbox — every panel of the window moves within a minute, and a crew can train on it.
//!
//! It only ever talks to the rehearsal stack (see [`super::wiring`]).

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use serde::Serialize;
use showdesk_media::viewer::RtmpViewer;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::drill_buyers::{Buyer, run_buyers};
use super::drill_mail::run_mail;
use super::wiring::{REHEARSAL_PROMO, RehearsalWiring};
use crate::live::views::LivePhase;
use crate::{ControlError, ControlService};

/// What the drill has done so far.
#[derive(Debug, Default)]
pub struct DrillCounters {
    pub purchases: AtomicU32,
    pub declined: AtomicU32,
    pub double_purchases: AtomicU32,
    pub promo_used: AtomicU32,
    pub mails: AtomicU32,
    pub viewers_now: AtomicU32,
    pub viewers_peak: AtomicU32,
}

/// The counters as numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DrillReport {
    pub purchases: u32,
    pub declined: u32,
    pub double_purchases: u32,
    pub promo_used: u32,
    pub mails: u32,
    pub viewers_now: u32,
    pub viewers_peak: u32,
}

impl DrillCounters {
    pub fn report(&self) -> DrillReport {
        let get = |counter: &AtomicU32| counter.load(Ordering::Relaxed);
        DrillReport {
            purchases: get(&self.purchases),
            declined: get(&self.declined),
            double_purchases: get(&self.double_purchases),
            promo_used: get(&self.promo_used),
            mails: get(&self.mails),
            viewers_now: get(&self.viewers_now),
            viewers_peak: get(&self.viewers_peak),
        }
    }
}

/// The buyers so far, shared between the rush and the mail (people write about what happened to
/// them: a buyer charged twice writes about it).
pub(crate) type Buyers = Arc<Mutex<Vec<Buyer>>>;

/// A running drill.
#[derive(Debug)]
pub struct Drill {
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
    counters: Arc<DrillCounters>,
}

/// Waits `period`; false when the drill is stopping instead.
pub(crate) async fn pause(period: Duration, stop: &mut watch::Receiver<bool>) -> bool {
    if *stop.borrow() {
        return false;
    }
    tokio::select! {
        () = tokio::time::sleep(period) => !*stop.borrow(),
        _ = stop.changed() => false,
    }
}

impl ControlService {
    /// Starts the drill on the wired rehearsal (a no-op when it runs already).
    pub async fn start_drill(self: &Arc<Self>) -> Result<(), ControlError> {
        let wiring = self.rehearsal_wiring().ok_or_else(|| {
            ControlError::NotReady("the drill runs on the rehearsal: start the rehearsal first".into())
        })?;
        let mut drill = self.drill.lock().await;
        if drill.is_some() {
            return Ok(());
        }
        let promo = self
            .store()
            .promo_codes_for_show(&wiring.show_id)
            .await?
            .into_iter()
            .find(|promo| promo.rules.code == REHEARSAL_PROMO)
            .and_then(|promo| promo.processor_promotion_code_id);
        let (stop, stopped) = watch::channel(false);
        let counters = Arc::new(DrillCounters::default());
        let buyers: Buyers = Arc::default();
        let tasks = vec![
            tokio::spawn(run_buyers(
                wiring.clone(),
                promo,
                Arc::clone(&buyers),
                Arc::clone(&counters),
                stopped.clone(),
            )),
            tokio::spawn(run_mail(wiring.clone(), buyers, Arc::clone(&counters), stopped.clone())),
            tokio::spawn(run_viewers(Arc::downgrade(self), wiring, Arc::clone(&counters), stopped)),
        ];
        tracing::info!("rehearsal drill started");
        *drill = Some(Drill { stop, tasks, counters });
        Ok(())
    }

    /// Stops the drill (its viewers disconnect); returns what it did.
    pub async fn stop_drill(&self) -> Option<DrillReport> {
        let drill = self.drill.lock().await.take()?;
        let _ = drill.stop.send(true);
        for task in drill.tasks {
            let _ = task.await;
        }
        tracing::info!("rehearsal drill stopped");
        Some(drill.counters.report())
    }

    /// What the running drill has done, if one runs.
    pub async fn drill_report(&self) -> Option<DrillReport> {
        self.drill.lock().await.as_ref().map(|drill| drill.counters.report())
    }
}

/// How many people watch `live_for` into the show: a crowd arriving over the first half minute,
/// then coming and going between 5 and 8.
fn audience_at(live_for: Duration) -> usize {
    let seconds = live_for.as_secs();
    if seconds < 30 {
        return 1 + (seconds / 6) as usize;
    }
    [6, 8, 7, 5, 6, 8][(seconds / 20) as usize % 6]
}

async fn run_viewers(
    service: Weak<ControlService>,
    wiring: RehearsalWiring,
    counters: Arc<DrillCounters>,
    mut stop: watch::Receiver<bool>,
) {
    let url = wiring.play_url();
    let mut viewers: Vec<RtmpViewer> = Vec::new();
    let mut live_since: Option<Instant> = None;
    while pause(Duration::from_secs(2), &mut stop).await {
        let Some(service) = service.upgrade() else { break };
        let live = service.live_status().await.phase == LivePhase::Live;
        drop(service);
        live_since = match (live, live_since) {
            (true, None) => Some(Instant::now()),
            (true, since) => since,
            (false, _) => None,
        };
        viewers.retain(|viewer| match viewer.stopped() {
            Some(why) => {
                tracing::debug!("a drill viewer left: {why}");
                false
            }
            None => true,
        });
        let wanted = live_since.map_or(0, |since| audience_at(since.elapsed()));
        viewers.truncate(wanted);
        while viewers.len() < wanted {
            match RtmpViewer::start(&url) {
                Ok(viewer) => viewers.push(viewer),
                Err(err) => {
                    tracing::warn!(code = err.code(), "a drill viewer could not start: {err}");
                    break;
                }
            }
        }
        let now = u32::try_from(viewers.len()).unwrap_or(u32::MAX);
        counters.viewers_now.store(now, Ordering::Relaxed);
        counters.viewers_peak.fetch_max(now, Ordering::Relaxed);
    }
    counters.viewers_now.store(0, Ordering::Relaxed);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_audience_arrives_then_comes_and_goes() {
        assert_eq!(audience_at(Duration::ZERO), 1);
        assert_eq!(audience_at(Duration::from_secs(29)), 5);
        let later: Vec<usize> = (30..600).step_by(7).map(|s| audience_at(Duration::from_secs(s))).collect();
        assert!(later.iter().all(|n| (5..=8).contains(n)), "{later:?}");
        assert!(later.contains(&5) && later.contains(&8));
    }
}
