//! What the after-show report gives the window (TypeScript through ts-rs). The report itself is a
//! self-contained HTML page the window shows in a sandboxed frame; these are the interactive parts
//! around it.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The short structured note per show: what worked, what did not, what to change. Prefilled with
/// facts the report found; the operator edits and saves it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export_to = "Retrospective.ts")]
pub struct Retrospective {
    pub worked: String,
    pub did_not: String,
    pub change: String,
    /// The facts the prefill came from ("support surge of 140 tickets in the first 10 minutes").
    pub facts: Vec<String>,
    /// When it was last saved; `null` when it is the prefill.
    #[ts(type = "number | null")]
    pub saved_ms: Option<i64>,
}

/// One kind of follow-up mail, ready to preview and send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export_to = "FollowUpPreview.ts")]
pub struct FollowUpPreview {
    /// thank_you (with the replay link), apology (with a promo code, for buyers who had trouble),
    /// refund_owed (refunds still to come).
    pub kind: String,
    /// How many buyers would get it (each at most once).
    pub recipients: u32,
    /// One rendered example.
    pub sample_subject: String,
    pub sample_text: String,
    /// Already queued or sent for this show.
    pub already_sent: u32,
}

/// Something still to do after the show, with its one action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export_to = "OpenItem.ts")]
pub struct OpenItem {
    /// refund_owed, ticket_open, double_purchase.
    pub kind: String,
    /// What it is about (an order id, a ticket id, a double-purchase id).
    pub subject: String,
    pub description: String,
    /// The command that resolves it: refund, ticket, double_purchase_refund.
    pub action: String,
}
