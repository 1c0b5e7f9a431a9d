//! The TypeScript form of every type that crosses IPC, generated from these Rust types with ts-rs
//! into `ui/src/lib/backend/generated/`. A test fails when the committed files are stale;
//! `cargo xtask bindings` rewrites them.

use std::path::PathBuf;

use ts_rs::TS;

use crate::box_office::views::{
    AlertView, AudienceReadingView, AudienceSourceInput, DashboardSnapshot, DoublePurchaseView, ForecastInput,
    MoneyView, NewShowInput, OrderView, PollReport, PromoInput, PromoUseView, PromoView, RefundInput, RefundView,
    RiskNoticeView, SalesMinuteView, ShowView, StripeStatus,
};
use crate::live::profile::{
    AudioSection, DestinationSection, ProfileDoc, RecordingSection, ShowSection, SourceSection, VideoSection,
};
use crate::live::views::{LayoutView, LiveAlert, LivePhase, LiveStatus, MetersView, OutputView, SourceView};
use crate::report::views::{FollowUpPreview, OpenItem, Retrospective};
use crate::setup::{CheckView, SecretStoreStatus};
use crate::support::SupportEvent;
use crate::support::actions::ActionResult;
use crate::support::buyer::OrderStatus;
use crate::support::views::{
    AttachmentView, BuyerOrderView, CategoryCount, MailboxStatus, MessageView, OutboxSummary, SafeHtml, SlaSnapshot,
    TicketCategory, TicketDetail, TicketListItem, TicketState,
};
use crate::{AppInfo, ErrorBody, LocalService, RehearsalPhase, RehearsalStatus};

/// Where the generated files live, from the repository root.
pub const GENERATED_DIR: &str = "ui/src/lib/backend/generated";

/// Set to 1 to rewrite the generated files instead of checking them.
pub const UPDATE_ENV: &str = "SHOWDESK_UPDATE_BINDINGS";

/// Every exported type: (file name, TypeScript source).
pub fn render_all() -> Result<Vec<(PathBuf, String)>, ts_rs::ExportError> {
    fn one<T: TS + 'static>() -> Result<(PathBuf, String), ts_rs::ExportError> {
        let path = T::output_path().ok_or(ts_rs::ExportError::CannotBeExported(std::any::type_name::<T>()))?;
        Ok((path, T::export_to_string()?))
    }
    Ok(vec![
        one::<AppInfo>()?,
        one::<ErrorBody>()?,
        one::<LocalService>()?,
        one::<RehearsalPhase>()?,
        one::<RehearsalStatus>()?,
        // The show on air.
        one::<LayoutView>()?,
        one::<LiveAlert>()?,
        one::<LivePhase>()?,
        one::<LiveStatus>()?,
        one::<MetersView>()?,
        one::<OutputView>()?,
        one::<SourceView>()?,
        // Setup.
        one::<AudioSection>()?,
        one::<CheckView>()?,
        one::<DestinationSection>()?,
        one::<ProfileDoc>()?,
        one::<RecordingSection>()?,
        one::<SecretStoreStatus>()?,
        one::<ShowSection>()?,
        one::<SourceSection>()?,
        one::<VideoSection>()?,
        // After the show.
        one::<FollowUpPreview>()?,
        one::<OpenItem>()?,
        one::<Retrospective>()?,
        // The box office and the audience.
        one::<AlertView>()?,
        one::<AudienceReadingView>()?,
        one::<AudienceSourceInput>()?,
        one::<DashboardSnapshot>()?,
        one::<DoublePurchaseView>()?,
        one::<ForecastInput>()?,
        one::<MoneyView>()?,
        one::<NewShowInput>()?,
        one::<OrderView>()?,
        one::<PollReport>()?,
        one::<PromoInput>()?,
        one::<PromoUseView>()?,
        one::<PromoView>()?,
        one::<RefundInput>()?,
        one::<RefundView>()?,
        one::<RiskNoticeView>()?,
        one::<SalesMinuteView>()?,
        one::<ShowView>()?,
        one::<StripeStatus>()?,
        // The support desk.
        one::<ActionResult>()?,
        one::<AttachmentView>()?,
        one::<BuyerOrderView>()?,
        one::<CategoryCount>()?,
        one::<MessageView>()?,
        one::<OrderStatus>()?,
        one::<OutboxSummary>()?,
        one::<MailboxStatus>()?,
        one::<SafeHtml>()?,
        one::<SlaSnapshot>()?,
        one::<SupportEvent>()?,
        one::<TicketCategory>()?,
        one::<TicketDetail>()?,
        one::<TicketListItem>()?,
        one::<TicketState>()?,
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_typescript_is_up_to_date() -> Result<(), Box<dyn std::error::Error>> {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..").join(GENERATED_DIR);
        let update = std::env::var(UPDATE_ENV).is_ok_and(|v| v == "1");
        let mut stale = Vec::new();
        for (name, source) in render_all()? {
            let path = dir.join(&name);
            if update {
                std::fs::create_dir_all(&dir)?;
                std::fs::write(&path, &source)?;
            } else if std::fs::read_to_string(&path).ok().as_deref() != Some(source.as_str()) {
                stale.push(name.display().to_string());
            }
        }
        assert!(stale.is_empty(), "stale TypeScript bindings {stale:?} in {GENERATED_DIR}: run `cargo xtask bindings`");
        Ok(())
    }
}
