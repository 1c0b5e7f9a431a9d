//! The rehearsal, wired: with the local stack running, Stripe is localstripe, the support mailbox is
//! dovecot with the SMTP sink, a "Rehearsal" show is on sale (with a promo code), its viewers are
//! counted from nginx-rtmp's `/stat`, and going live pushes to the local ingest (RTMP and SRT)
//! instead of the profile's destinations. Only ever in rehearsal mode, whose data folder is its
//! own: a real installation's ledger, mailbox and destinations are never touched.

use std::collections::BTreeSet;
use std::time::Duration;

use showdesk_connectors::mail::{ImapSettings, Security, SmtpSecurity, SmtpSettings};
use showdesk_core::support::Category;
use showdesk_media::destination::Target;
use showdesk_media::spec::OutputSpec;
use showdesk_platform::redact::Secret;
use showdesk_testkit::StackEndpoints;

use crate::box_office::{AudienceSourceInput, MoneyView, NewShowInput, PromoInput};
use crate::live::profile::{ProfileDoc, ShowSection, SourceSection};
use crate::{ControlError, ControlService, SupportSettings};

/// Every rehearsal show's title starts with this.
pub const REHEARSAL_TITLE: &str = "Rehearsal";
/// The promo code the drill's buyers use.
pub const REHEARSAL_PROMO: &str = "REHEARSAL20";
const STREAM_KEY_REF: &str = "rehearsal-stream-key";
const PRICE_MINOR: i64 = 1500;
const CURRENCY: &str = "EUR";
const CAPACITY: u32 = 300;

/// What the rehearsal is wired to.
#[derive(Debug, Clone)]
pub struct RehearsalWiring {
    pub show_id: String,
    pub price_minor: i64,
    pub currency: String,
    /// The stream name on the local ingest (random per rehearsal, treated as a secret).
    pub stream_key: Secret,
    pub endpoints: StackEndpoints,
}

impl RehearsalWiring {
    /// Where a viewer plays the rehearsal stream.
    pub fn play_url(&self) -> String {
        format!("{}/{}", self.endpoints.rtmp_server_url, self.stream_key.expose())
    }

    /// The destinations of a rehearsal: the local RTMP ingest and the SRT receiver.
    pub fn outputs(&self) -> Result<Vec<OutputSpec>, ControlError> {
        let rtmp = Target::parse(&self.endpoints.rtmp_server_url, self.stream_key.expose())
            .map_err(showdesk_media::MediaError::from)?;
        let srt = Target::parse(&self.endpoints.srt_url, "").map_err(showdesk_media::MediaError::from)?;
        Ok(vec![
            OutputSpec { id: "rehearsal-rtmp".into(), name: "Rehearsal ingest (RTMP)".into(), target: rtmp.target },
            OutputSpec { id: "rehearsal-srt".into(), name: "Rehearsal receiver (SRT)".into(), target: srt.target },
        ])
    }

    /// The support desk on the stack's mailbox and SMTP sink, acknowledging new tickets by itself.
    fn support_settings(&self, base: &SupportSettings) -> SupportSettings {
        let e = &self.endpoints;
        SupportSettings {
            address: e.imap_user.clone(),
            display_name: "Rehearsal support".into(),
            show_title: REHEARSAL_TITLE.into(),
            imap: Some(ImapSettings::new(
                &e.imap_host,
                e.imap_port,
                Security::Plain,
                &e.imap_user,
                Secret::new(e.imap_password.clone()),
            )),
            smtp: Some(SmtpSettings {
                host: e.smtp_host.clone(),
                port: e.smtp_port,
                security: SmtpSecurity::Plain,
                user: None,
                password: None,
                timeout: Duration::from_secs(10),
            }),
            auto_ack: BTreeSet::from([Category::Access, Category::Payment, Category::Overcharge, Category::Refund]),
            // The rehearsal's mail goes nowhere but the sink: no need to pace it like a new domain.
            rate_per_sec: 5.0,
            // A rehearsal must show movement at once: poll the mailbox often when IDLE is missing.
            poll_interval: Duration::from_secs(3),
            ..base.clone()
        }
    }
}

fn random_key() -> String {
    use std::collections::hash_map::RandomState;
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = RandomState::new().build_hasher();
    hasher
        .write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos());
    format!("rehearsal_{:016x}", hasher.finish())
}

impl ControlService {
    /// Wires everything to the running rehearsal stack and puts a new "Rehearsal" show on sale.
    /// Earlier rehearsal shows are closed (their payment links died with the last localstripe).
    pub async fn wire_rehearsal(&self) -> Result<RehearsalWiring, ControlError> {
        let endpoints = self
            .rehearsal()
            .endpoints()
            .ok_or_else(|| ControlError::NotReady("the rehearsal stack is not running: start it first".into()))?;
        let box_office = self.box_office();
        // A new localstripe knows none of the events the last one sent.
        self.store().clear_cursor(crate::box_office::EVENTS_CURSOR).await?;
        box_office.connect_stripe("rehearsal", &endpoints.stripe_api_base, &endpoints.stripe_secret_key).await?;
        box_office.set_rehearsal_stripe(true);
        for show in box_office.shows().await? {
            if show.title.starts_with(REHEARSAL_TITLE) && show.sales_open {
                self.store().set_sales_open(&show.id, false).await?;
            }
        }
        let starts = showdesk_store::now_ms() + 5 * 60_000;
        let show = box_office
            .create_show(
                "rehearsal",
                &NewShowInput {
                    title: REHEARSAL_TITLE.into(),
                    starts_at_ms: starts,
                    ends_at_ms: starts + 2 * 3_600_000,
                    price: MoneyView { minor: PRICE_MINOR, currency: CURRENCY.into() },
                    capacity: CAPACITY,
                    watch_url: Some("https://watch.rehearsal.invalid/show".into()),
                },
            )
            .await?;
        box_office.put_on_sale("rehearsal", &show.id).await?;
        box_office
            .create_promo(
                "rehearsal",
                &PromoInput {
                    show_id: show.id.clone(),
                    code: REHEARSAL_PROMO.into(),
                    percent_off: Some(20),
                    amount_off_minor: None,
                    max_redemptions: Some(100),
                    expires_at_ms: None,
                    for_buyer: None,
                },
            )
            .await?;
        let stream_key = Secret::new(random_key());
        box_office.provide_secret(STREAM_KEY_REF, stream_key.expose());
        let app = endpoints.rtmp_server_url.rsplit('/').next().unwrap_or("live").to_owned();
        box_office
            .add_audience_source(
                "rehearsal",
                &AudienceSourceInput::NginxRtmp {
                    id: format!("{}-ingest", show.id),
                    show_id: show.id.clone(),
                    stat_url: endpoints.rtmp_stat_url.clone(),
                    app,
                    stream_key_ref: STREAM_KEY_REF.into(),
                },
            )
            .await?;
        let wiring = RehearsalWiring {
            show_id: show.id,
            price_minor: PRICE_MINOR,
            currency: CURRENCY.into(),
            stream_key,
            endpoints,
        };
        self.support().configure(wiring.support_settings(&self.support().settings()));
        self.ensure_rehearsal_profile()?;
        *self.rehearsal_wiring.write().unwrap_or_else(|p| p.into_inner()) = Some(wiring.clone());
        tracing::info!(show_id = wiring.show_id, "rehearsal wired");
        Ok(wiring)
    }

    /// A first rehearsal gets a profile with two camera angles and a microphone (test signals), so
    /// cuts, picture-in-picture and the meters can be tried; a saved profile is kept as it is.
    fn ensure_rehearsal_profile(&self) -> Result<(), ControlError> {
        if self.profile_path().exists() {
            return Ok(());
        }
        let source =
            |name: &str, kind: &str| SourceSection { name: name.into(), kind: kind.into(), ..Default::default() };
        let doc = ProfileDoc {
            show: ShowSection { title: REHEARSAL_TITLE.into(), starts_at: None, language: Some("en".into()) },
            sources: vec![
                SourceSection { pattern: Some("smpte".into()), ..source("Camera 1", "test_pattern") },
                SourceSection { pattern: Some("pinwheel".into()), ..source("Camera 2", "test_pattern") },
                SourceSection { frequency_hz: Some(440), ..source("Host mic", "tone") },
            ],
            ..ProfileDoc::default()
        };
        self.save_profile(&doc)
    }

    /// The rehearsal this process is wired to, if any.
    pub fn rehearsal_wiring(&self) -> Option<RehearsalWiring> {
        self.rehearsal_wiring.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Forgets the wiring (the stack stopped).
    pub fn unwire_rehearsal(&self) {
        *self.rehearsal_wiring.write().unwrap_or_else(|p| p.into_inner()) = None;
    }
}
