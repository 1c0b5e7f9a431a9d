//! What runs while the control room is open, so nobody has to press "refresh": payments are polled
//! into the ledger (and buyers get their confirmation mail), viewer counts are read, the support
//! mailbox is read and the outbox sent, the live status goes out every second, and the warnings —
//! decline rate, rate limiting, viewers above tickets, a sales spike, a support surge, payments
//! unreachable — become alerts, each once when it starts.
//!
//! The desktop shell and `showdesk rehearse` start it; each loop is independent, so a slow Stripe
//! never delays the live status.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use showdesk_core::support::Language;
use showdesk_store::now_ms;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::box_office::{AlertView, SalesMinuteView};
use crate::live::views::{LiveAlert, LivePhase};
use crate::support::SupportEvent;
use crate::support::outbox::RunUntil;
use crate::{ControlService, SupportDesk};

/// How often each loop runs.
#[derive(Debug, Clone)]
pub struct OperationsOptions {
    pub status_every: Duration,
    pub payments_every: Duration,
    pub audience_every: Duration,
}

impl Default for OperationsOptions {
    fn default() -> Self {
        Self {
            status_every: Duration::from_secs(1),
            // Stripe allows 25 reads a second in test mode and 100 live: one list call every two
            // seconds leaves room for everything else.
            payments_every: Duration::from_secs(2),
            audience_every: Duration::from_secs(5),
        }
    }
}

/// The running loops; `stop` ends them.
#[derive(Debug)]
pub struct Operations {
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl Operations {
    /// Starts every loop on the current tokio runtime.
    pub fn start(service: Arc<ControlService>, options: &OperationsOptions) -> Self {
        let (stop, shutdown) = watch::channel(false);
        let tasks = vec![
            tokio::spawn(status_loop(Arc::clone(&service), options.status_every, shutdown.clone())),
            tokio::spawn(payments_loop(Arc::clone(&service), options.payments_every, shutdown.clone())),
            tokio::spawn(audience_loop(Arc::clone(&service), options.audience_every, shutdown.clone())),
            tokio::spawn(mail_supervisor(service.support().clone(), shutdown.clone())),
            tokio::spawn(support_alerts(Arc::clone(&service), shutdown)),
        ];
        Self { stop, tasks }
    }

    /// Stops every loop and waits for them (the outbox finishes the mail it is sending).
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        for task in self.tasks {
            let _ = task.await;
        }
    }
}

/// Waits `period`; false when it is time to stop instead.
async fn tick(period: Duration, shutdown: &mut watch::Receiver<bool>) -> bool {
    if *shutdown.borrow() {
        return false;
    }
    tokio::select! {
        () = tokio::time::sleep(period) => !*shutdown.borrow(),
        _ = shutdown.changed() => false,
    }
}

fn alert(kind: &str, severity: &str, subject: &str, message: String) -> LiveAlert {
    LiveAlert { kind: kind.into(), severity: severity.into(), subject: subject.into(), message, at_ms: now_ms() }
}

async fn status_loop(service: Arc<ControlService>, every: Duration, mut shutdown: watch::Receiver<bool>) {
    let mut was_live = false;
    while tick(every, &mut shutdown).await {
        let status = service.live_status().await;
        let live = status.phase == LivePhase::Live;
        service.support().set_show_live(live);
        // While live every second; once more when it ends, so the window sees it stop.
        if live || was_live {
            service.publish_live_status(status);
        }
        was_live = live;
    }
}

/// The language of mail the box office sends by itself: the show profile's.
fn buyer_language(service: &ControlService) -> Language {
    match service.profile().ok().and_then(|profile| profile.show.language) {
        Some(language) if language.eq_ignore_ascii_case("fr") => Language::Fr,
        _ => Language::En,
    }
}

async fn payments_loop(service: Arc<ControlService>, every: Duration, mut shutdown: watch::Receiver<bool>) {
    let mut latch = AlertLatch::default();
    let mut unreachable = false;
    while tick(every, &mut shutdown).await {
        if !service.box_office().stripe_connected() {
            continue;
        }
        match service.box_office().poll_payments().await {
            Ok(report) => {
                if unreachable {
                    service.raise_alert(alert("payments_back", "info", "stripe", "Stripe answers again".into()));
                }
                unreachable = false;
                for show in &report.sold_out {
                    service.raise_alert(alert(
                        "sold_out",
                        "info",
                        show,
                        "Sold out: the payment link was closed".into(),
                    ));
                }
            }
            Err(err) => {
                if !unreachable {
                    let message = format!("Sales cannot be read from Stripe: {}", err.to_body().message);
                    service.raise_alert(alert("payments_unreachable", "error", "stripe", message));
                }
                unreachable = true;
            }
        }
        // Refunds made from the window also leave notices: queue whatever is pending.
        if let Err(err) = service.queue_buyer_mail(buyer_language(&service)).await {
            tracing::warn!(code = %err.code(), "buyer mail could not be queued: {err}");
        }
        for show_id in service.shows_in_focus().await {
            match service.box_office().dashboard(&show_id).await {
                Ok(dashboard) => {
                    for raised in
                        latch.update(&show_id, &dashboard.show.title, &dashboard.alerts, &dashboard.sales_per_minute)
                    {
                        service.raise_alert(raised);
                    }
                }
                Err(err) => tracing::warn!(show_id, code = %err.code(), "dashboard: {err}"),
            }
        }
    }
}

async fn audience_loop(service: Arc<ControlService>, every: Duration, mut shutdown: watch::Receiver<bool>) {
    while tick(every, &mut shutdown).await {
        for show_id in service.shows_in_focus().await {
            if let Err(err) = service.box_office().poll_audience(&show_id).await {
                tracing::warn!(show_id, code = %err.code(), "viewer counts: {err}");
            }
        }
    }
}

/// Runs intake and the outbox for the mailbox configured now, and restarts them when it changes.
async fn mail_supervisor(desk: SupportDesk, mut shutdown: watch::Receiver<bool>) {
    let mut configuration = desk.watch_configuration();
    loop {
        let (stop_workers, workers_shutdown) = watch::channel(false);
        let settings = desk.settings();
        let mut workers = Vec::new();
        if settings.imap.is_some() {
            let desk = desk.clone();
            let stop = workers_shutdown.clone();
            workers.push(tokio::spawn(async move { desk.run_intake(stop).await }));
        }
        if settings.smtp.is_some() {
            let desk = desk.clone();
            workers.push(tokio::spawn(keep_outbox_running(desk, workers_shutdown)));
        }
        let stopping = tokio::select! {
            changed = configuration.changed() => changed.is_err(),
            _ = shutdown.changed() => true,
        };
        let _ = stop_workers.send(true);
        for worker in workers {
            let _ = worker.await;
        }
        if stopping || *shutdown.borrow() {
            return;
        }
    }
}

/// The outbox stops on errors it cannot retry by itself (the store): start it again after a pause.
async fn keep_outbox_running(desk: SupportDesk, mut shutdown: watch::Receiver<bool>) {
    let mut pause = Duration::from_secs(2);
    loop {
        match desk.run_outbox(shutdown.clone(), RunUntil::Shutdown).await {
            Ok(()) => return,
            Err(err) => tracing::warn!(code = %err.code(), "the outbox stopped: {err}; again in {pause:?}"),
        }
        if !tick(pause, &mut shutdown).await {
            return;
        }
        pause = (pause * 2).min(Duration::from_secs(60));
    }
}

async fn support_alerts(service: Arc<ControlService>, mut shutdown: watch::Receiver<bool>) {
    let mut events = service.support().subscribe();
    loop {
        let event = tokio::select! {
            event = events.recv() => event,
            _ = shutdown.changed() => return,
        };
        match event {
            Ok(SupportEvent::SurgeStarted { per_min }) => service.raise_alert(alert(
                "support_surge",
                "warn",
                "support",
                format!("Support surge: {per_min} mails a minute"),
            )),
            Ok(SupportEvent::SurgeEnded) => {
                service.raise_alert(alert("support_calm", "info", "support", "The support surge is over".into()));
            }
            Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
            Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
        }
    }
}

/// A minute with at least this many tickets can be a spike…
const SPIKE_MIN_TICKETS: i64 = 10;
/// …when it is this many times the average of the ten minutes before.
const SPIKE_FACTOR: i64 = 3;

/// Raises each warning once when it appears, again only after it has gone.
#[derive(Debug, Default)]
struct AlertLatch {
    active: BTreeSet<(String, String)>,
}

impl AlertLatch {
    fn update(
        &mut self,
        show_id: &str,
        title: &str,
        warnings: &[AlertView],
        sales_per_minute: &[SalesMinuteView],
    ) -> Vec<LiveAlert> {
        let mut now: Vec<LiveAlert> = warnings
            .iter()
            .map(|view| {
                let severity = if view.severity == "critical" { "error" } else { "warn" };
                alert(&view.kind, severity, title, format!("{}: {}", view.title, view.action))
            })
            .collect();
        if let Some(tickets) = sales_spike(sales_per_minute, now_ms()) {
            now.push(alert("sales_spike", "info", title, format!("Sales spike: {tickets} tickets in the last minute")));
        }
        let current: BTreeSet<(String, String)> = now.iter().map(|a| (show_id.to_owned(), a.kind.clone())).collect();
        let raised = now.into_iter().filter(|a| !self.active.contains(&(show_id.to_owned(), a.kind.clone()))).collect();
        self.active.retain(|(show, _)| show != show_id);
        self.active.extend(current);
        raised
    }
}

/// The tickets of the last complete minute when they are a spike.
fn sales_spike(sales_per_minute: &[SalesMinuteView], now_ms: i64) -> Option<i64> {
    let this_minute = now_ms - now_ms.rem_euclid(60_000);
    let last_minute = this_minute - 60_000;
    let tickets_in =
        |minute: i64| sales_per_minute.iter().filter(|m| m.minute_ms == minute).map(|m| m.tickets).sum::<i64>();
    let last = tickets_in(last_minute);
    let before: i64 = (1..=10).map(|n| tickets_in(last_minute - n * 60_000)).sum();
    (last >= SPIKE_MIN_TICKETS && last * 10 >= SPIKE_FACTOR * before.max(1)).then_some(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minutes(list: &[(i64, i64)]) -> Vec<SalesMinuteView> {
        list.iter().map(|&(minute_ms, tickets)| SalesMinuteView { minute_ms, tickets }).collect()
    }

    fn warnings(kinds: &[&str]) -> Vec<AlertView> {
        kinds
            .iter()
            .map(|kind| AlertView {
                kind: (*kind).into(),
                severity: "warning".into(),
                title: "Declines rising".into(),
                meaning: String::new(),
                action: "check the checkout".into(),
            })
            .collect()
    }

    const NOW: i64 = 100 * 60_000 + 30_000;
    const LAST: i64 = 99 * 60_000;

    #[test]
    fn a_minute_far_above_the_ten_before_is_a_spike() {
        assert_eq!(sales_spike(&minutes(&[(LAST, 12)]), NOW), Some(12));
        // 12 after a steady 5 a minute (3× that average is 15) is ordinary.
        let steady: Vec<(i64, i64)> = (1..=10).map(|n| (LAST - n * 60_000, 5)).chain([(LAST, 12)]).collect();
        assert_eq!(sales_spike(&minutes(&steady), NOW), None);
        // A few tickets are never a spike; the running minute does not count yet.
        assert_eq!(sales_spike(&minutes(&[(LAST, 4)]), NOW), None);
        assert_eq!(sales_spike(&minutes(&[(LAST + 60_000, 40)]), NOW), None);
    }

    #[test]
    fn each_warning_is_raised_once_until_it_goes_away() {
        let mut latch = AlertLatch::default();
        let rising = warnings(&["decline_rate_rising"]);
        let raised = latch.update("show-1", "Fight night", &rising, &[]);
        assert_eq!(raised.iter().map(|a| a.kind.as_str()).collect::<Vec<_>>(), ["decline_rate_rising"]);
        assert_eq!(
            (raised[0].message.as_str(), raised[0].subject.as_str()),
            ("Declines rising: check the checkout", "Fight night")
        );
        assert!(latch.update("show-1", "Fight night", &rising, &[]).is_empty());
        // Another show has its own.
        assert_eq!(latch.update("show-2", "Other", &rising, &[]).len(), 1);
        assert!(latch.update("show-1", "Fight night", &[], &[]).is_empty());
        assert_eq!(latch.update("show-1", "Fight night", &rising, &[]).len(), 1, "back again: raised again");
    }
}
