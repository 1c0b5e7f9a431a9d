//! Applying a batch of payment events in memory, before one write: the orders the batch touches
//! are loaded once, every event is folded into its order (core's rules), and what changed comes
//! out as rows to write and deltas to add to the totals. Backend independent; `sql_apply` does the
//! reading and writing for each backend.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use showdesk_core::box_office::{
    AttemptOutcome, DoublePurchase, MINUTE_MS, OrderFacts, PaymentEvent, PaymentState, PurchaseIdentity,
    TicketContribution, normalize_email,
};

use super::records::OrderRecord;

/// How to apply a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApplyOptions {
    pub now_ms: i64,
    /// Two valid tickets of one buyer for one show this close together are a possible double purchase.
    pub double_purchase_window_ms: i64,
}

/// A ticket that became valid in this batch (each order at most once, ever).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TicketIssued {
    pub order_id: String,
    pub show_id: String,
    pub email: Option<String>,
}

/// What a batch did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ApplyReport {
    pub received: usize,
    /// Event ids applied before (in an earlier batch, or twice in this one): skipped.
    pub already_seen: usize,
    pub applied: usize,
    /// Applied events whose order belongs to no show of ours (yet).
    pub unattributed: usize,
    pub tickets_issued: Vec<TicketIssued>,
    /// Orders that held a ticket before this batch and no longer do (refunded, disputed).
    pub access_revoked: Vec<String>,
    pub double_purchases: Vec<DoublePurchase>,
    pub confirmations_queued: usize,
}

/// Which show an event belongs to: by the show id in its metadata, or by its Payment Link.
#[derive(Debug, Default)]
pub(crate) struct ShowIndex {
    pub ids: HashSet<String>,
    pub by_payment_link: HashMap<String, String>,
}

impl ShowIndex {
    fn resolve(&self, event: &PaymentEvent) -> Option<String> {
        event
            .show_hint
            .as_ref()
            .filter(|hint| self.ids.contains(*hint))
            .cloned()
            .or_else(|| event.payment_link.as_ref().and_then(|link| self.by_payment_link.get(link).cloned()))
    }
}

/// An order's share of its show's and its promo code's totals, as it stood.
#[derive(Debug, Clone, Default)]
struct Share {
    show_id: Option<String>,
    promotion_code_id: Option<String>,
    contribution: TicketContribution,
    discount_minor: i64,
}

impl Share {
    fn of(order: &OrderRecord) -> Self {
        Self {
            show_id: order.show_id.clone(),
            promotion_code_id: order.promotion_code_id.clone(),
            contribution: order.facts.contribution(),
            discount_minor: if order.facts.payment == PaymentState::Paid { order.discount_minor } else { 0 },
        }
    }
}

#[derive(Debug)]
struct Entry {
    before: Option<Share>,
    granted_before: bool,
    order: OrderRecord,
    dirty: bool,
}

/// A promo code's delta.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct PromoDelta {
    pub tickets: i64,
    pub paid_orders: i64,
    pub gross_minor: i64,
    pub discount_minor: i64,
}

/// What to write after a batch.
#[derive(Debug, Default)]
pub(crate) struct BatchOutcome {
    pub upserts: Vec<OrderRecord>,
    pub deletes: Vec<String>,
    pub show_deltas: HashMap<String, TicketContribution>,
    pub promo_deltas: HashMap<(String, String), PromoDelta>,
    pub minute_increments: HashMap<(String, i64), i64>,
    pub attempts: Vec<(i64, Option<String>, AttemptOutcome)>,
    pub issued: Vec<TicketIssued>,
    pub new_tickets: Vec<PurchaseIdentity>,
    pub revoked: Vec<String>,
    pub unattributed: usize,
}

/// The orders a batch touches, folded in memory.
#[derive(Debug, Default)]
pub(crate) struct Working {
    entries: HashMap<String, Entry>,
    by_session: HashMap<String, String>,
    by_intent: HashMap<String, String>,
    by_charge: HashMap<String, String>,
    deleted: Vec<(String, Share)>,
    attempts: Vec<(i64, String, AttemptOutcome)>,
    unattributed_events: usize,
}

impl Working {
    pub fn new(loaded: Vec<OrderRecord>) -> Self {
        let mut working = Self::default();
        for order in loaded {
            if working.entries.contains_key(&order.id) {
                continue;
            }
            working.index(&order);
            let granted_before = order.ticket_issued_ms.is_some() && order.status.grants_access();
            working.entries.insert(
                order.id.clone(),
                Entry { before: Some(Share::of(&order)), granted_before, order, dirty: false },
            );
        }
        working
    }

    fn index(&mut self, order: &OrderRecord) {
        if let Some(cs) = &order.refs.checkout_session {
            self.by_session.insert(cs.clone(), order.id.clone());
        }
        if let Some(pi) = &order.refs.payment_intent {
            self.by_intent.insert(pi.clone(), order.id.clone());
        }
        if let Some(ch) = &order.refs.charge {
            self.by_charge.insert(ch.clone(), order.id.clone());
        }
    }

    fn find(&self, event: &PaymentEvent) -> (Option<String>, Option<String>) {
        let refs = &event.refs;
        let by_session = refs.checkout_session.as_ref().and_then(|cs| self.by_session.get(cs)).cloned();
        let by_payment = refs
            .payment_intent
            .as_ref()
            .and_then(|pi| self.by_intent.get(pi))
            .or_else(|| refs.charge.as_ref().and_then(|ch| self.by_charge.get(ch)))
            .cloned();
        (by_session, by_payment)
    }

    /// Folds one (new, never applied) event.
    pub fn apply(&mut self, event: &PaymentEvent, shows: &ShowIndex, now_ms: i64) {
        if event.refs.is_empty() {
            self.unattributed_events += 1;
            return;
        }
        let id = match self.find(event) {
            (Some(session_order), Some(payment_order)) if session_order != payment_order => {
                // Two rows were one purchase (a PaymentIntent event came before its checkout's).
                self.merge(&session_order, &payment_order);
                session_order
            }
            (Some(id), _) | (None, Some(id)) => id,
            (None, None) => self.create(event, now_ms),
        };
        let show = shows.resolve(event);
        let Some(entry) = self.entries.get_mut(&id) else { return };
        let order = &mut entry.order;
        entry.dirty = true;
        fill(&mut order.refs.checkout_session, &event.refs.checkout_session);
        fill(&mut order.refs.payment_intent, &event.refs.payment_intent);
        fill(&mut order.refs.charge, &event.refs.charge);
        fill(&mut order.payment_link_id, &event.payment_link);
        if order.show_id.is_none() {
            order.show_id = show;
        }
        fill(&mut order.buyer.email, &event.buyer.email.as_deref().map(normalize_email));
        fill(&mut order.buyer.name, &event.buyer.name);
        fill(&mut order.buyer.customer, &event.buyer.customer);
        fill(&mut order.buyer.card_fingerprint, &event.buyer.card_fingerprint);
        if order.currency.is_none() {
            order.currency = event.currency;
        }
        fill(&mut order.promotion_code_id, &event.promotion_code);
        order.discount_minor = order.discount_minor.max(event.discount_minor);
        order.purchased_ms = order.purchased_ms.min(event.created_ms);
        order.facts.merge(&event.fact);
        order.status = order.facts.status();
        order.updated_ms = now_ms;
        let order = order.clone();
        self.index(&order);
        if order.show_id.is_none() {
            self.unattributed_events += 1;
        }
        if let Some(attempt) = &event.attempt {
            self.attempts.push((event.created_ms, order.id, attempt.clone()));
        }
    }

    fn create(&mut self, event: &PaymentEvent, now_ms: i64) -> String {
        let refs = &event.refs;
        let processor_id = refs.checkout_session.as_ref().or(refs.payment_intent.as_ref()).or(refs.charge.as_ref());
        let id = format!("ord_{}", processor_id.map(String::as_str).unwrap_or(event.event_id.as_str()));
        let facts = OrderFacts::default();
        let order = OrderRecord {
            id: id.clone(),
            show_id: None,
            refs: Default::default(),
            payment_link_id: None,
            buyer: Default::default(),
            currency: None,
            status: facts.status(),
            facts,
            promotion_code_id: None,
            discount_minor: 0,
            purchased_ms: event.created_ms,
            ticket_issued_ms: None,
            updated_ms: now_ms,
        };
        self.entries.insert(id.clone(), Entry { before: None, granted_before: false, order, dirty: true });
        id
    }

    /// Folds `absorbed` into `keep` and deletes it.
    fn merge(&mut self, keep: &str, absorbed: &str) {
        let Some(gone) = self.entries.remove(absorbed) else { return };
        let Some(entry) = self.entries.get_mut(keep) else { return };
        let (order, other) = (&mut entry.order, &gone.order);
        order.facts.absorb(&other.facts);
        fill(&mut order.refs.payment_intent, &other.refs.payment_intent);
        fill(&mut order.refs.charge, &other.refs.charge);
        fill(&mut order.show_id, &other.show_id);
        fill(&mut order.buyer.email, &other.buyer.email);
        fill(&mut order.buyer.name, &other.buyer.name);
        fill(&mut order.buyer.customer, &other.buyer.customer);
        fill(&mut order.buyer.card_fingerprint, &other.buyer.card_fingerprint);
        fill(&mut order.promotion_code_id, &other.promotion_code_id);
        order.currency = order.currency.or(other.currency);
        order.purchased_ms = order.purchased_ms.min(other.purchased_ms);
        order.ticket_issued_ms = match (order.ticket_issued_ms, other.ticket_issued_ms) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        entry.granted_before |= gone.granted_before;
        entry.dirty = true;
        for (_, id) in self.by_intent.iter_mut().chain(self.by_charge.iter_mut()) {
            if id == absorbed {
                *id = keep.to_owned();
            }
        }
        if let Some(before) = gone.before {
            self.deleted.push((absorbed.to_owned(), before));
        }
    }

    /// What to write.
    pub fn finish(self, now_ms: i64) -> BatchOutcome {
        let mut outcome = BatchOutcome { unattributed: self.unattributed_events, ..Default::default() };
        let show_of: HashMap<String, Option<String>> =
            self.entries.iter().map(|(id, entry)| (id.clone(), entry.order.show_id.clone())).collect();
        for (id, share) in self.deleted {
            outcome.add_share(&share, -1);
            outcome.deletes.push(id);
        }
        let mut entries: Vec<Entry> = self.entries.into_values().filter(|entry| entry.dirty).collect();
        entries.sort_by(|a, b| a.order.id.cmp(&b.order.id));
        for mut entry in entries {
            if let Some(before) = &entry.before {
                outcome.add_share(before, -1);
            }
            let order = &mut entry.order;
            let grants = order.status.grants_access();
            if let (true, Some(show_id), None) = (grants, &order.show_id, order.ticket_issued_ms) {
                order.ticket_issued_ms = Some(now_ms);
                let minute = order.purchased_ms - order.purchased_ms.rem_euclid(MINUTE_MS);
                *outcome.minute_increments.entry((show_id.clone(), minute)).or_default() += 1;
                outcome.issued.push(TicketIssued {
                    order_id: order.id.clone(),
                    show_id: show_id.clone(),
                    email: order.buyer.email.clone(),
                });
                outcome.new_tickets.push(identity(order, show_id));
            }
            if entry.granted_before && !grants {
                outcome.revoked.push(order.id.clone());
            }
            outcome.add_share(&Share::of(order), 1);
            outcome.upserts.push(entry.order);
        }
        outcome.attempts = self
            .attempts
            .into_iter()
            .map(|(at, order_id, attempt)| (at, show_of.get(&order_id).cloned().flatten(), attempt))
            .collect();
        outcome
    }
}

impl BatchOutcome {
    fn add_share(&mut self, share: &Share, sign: i64) {
        let Some(show_id) = &share.show_id else { return };
        if share.contribution.is_zero() {
            return;
        }
        self.show_deltas.entry(show_id.clone()).or_default().add_scaled(&share.contribution, sign);
        if let Some(code) = &share.promotion_code_id {
            let delta = self.promo_deltas.entry((show_id.clone(), code.clone())).or_default();
            delta.tickets += sign * share.contribution.tickets;
            delta.paid_orders += sign * share.contribution.paid_orders;
            delta.gross_minor += sign * share.contribution.gross_minor;
            delta.discount_minor += sign * share.discount_minor;
        }
    }
}

/// The identity the double-purchase rule compares.
pub(crate) fn identity(order: &OrderRecord, show_id: &str) -> PurchaseIdentity {
    PurchaseIdentity {
        order_id: order.id.clone(),
        show_id: show_id.to_owned(),
        email: order.buyer.email.clone(),
        customer: order.buyer.customer.clone(),
        card_fingerprint: order.buyer.card_fingerprint.clone(),
        purchased_ms: order.purchased_ms,
    }
}

fn fill(slot: &mut Option<String>, value: &Option<String>) {
    if slot.is_none()
        && let Some(value) = value
        && !value.is_empty()
    {
        *slot = Some(value.clone());
    }
}
