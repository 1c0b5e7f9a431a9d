//! Shows and their sales, refunds, double purchases, promo codes and the audience.

use showdesk_control::box_office::{
    DashboardSnapshot, DoublePurchaseView, NewShowInput, OrderView, PromoInput, PromoView, RefundInput, RefundView,
    ShowView,
};

use super::{OPERATOR, Reply, Service, body, invalid, required_show};

/// Orders are paged; one page is at most this many.
const MAX_PAGE: u32 = 500;

#[tauri::command]
pub async fn shows(service: Service<'_>) -> Reply<Vec<ShowView>> {
    service.box_office().shows().await.map_err(body)
}

#[tauri::command]
pub async fn show_create(service: Service<'_>, input: NewShowInput) -> Reply<ShowView> {
    service.box_office().create_show(OPERATOR, &input).await.map_err(body)
}

#[tauri::command]
pub async fn show_put_on_sale(service: Service<'_>, show_id: String) -> Reply<ShowView> {
    service.box_office().put_on_sale(OPERATOR, required_show(&show_id)?).await.map_err(body)
}

#[tauri::command]
pub async fn show_sales_open(service: Service<'_>, show_id: String, open: bool) -> Reply<ShowView> {
    service.box_office().set_sales_open(OPERATOR, required_show(&show_id)?, open).await.map_err(body)
}

#[tauri::command]
pub async fn dashboard(service: Service<'_>, show_id: String) -> Reply<DashboardSnapshot> {
    service.box_office().dashboard(required_show(&show_id)?).await.map_err(body)
}

#[tauri::command]
pub async fn orders(service: Service<'_>, show_id: String, limit: u32, offset: u32) -> Reply<Vec<OrderView>> {
    if limit == 0 || limit > MAX_PAGE {
        return Err(invalid("limit", format!("{limit} orders per page: ask for 1 to {MAX_PAGE}")));
    }
    service.box_office().orders(required_show(&show_id)?, limit, offset).await.map_err(body)
}

/// A refund from the box office: the buyer gets the refund notice.
#[tauri::command]
pub async fn refund(service: Service<'_>, input: RefundInput) -> Reply<RefundView> {
    service.box_office().refund(OPERATOR, &input).await.map_err(body)
}

#[tauri::command]
pub async fn double_purchases(service: Service<'_>, show_id: String) -> Reply<Vec<DoublePurchaseView>> {
    service.box_office().double_purchases(required_show(&show_id)?).await.map_err(body)
}

/// The one action on a flagged double purchase: refund the duplicate and mail the buyer.
#[tauri::command]
pub async fn double_purchase_refund(service: Service<'_>, flag_id: i64) -> Reply<RefundView> {
    service.box_office().refund_double_purchase(OPERATOR, flag_id).await.map_err(body)
}

#[tauri::command]
pub async fn double_purchase_dismiss(service: Service<'_>, flag_id: i64) -> Reply<DoublePurchaseView> {
    service.box_office().dismiss_double_purchase(OPERATOR, flag_id).await.map_err(body)
}

#[tauri::command]
pub async fn promo_codes(service: Service<'_>, show_id: String) -> Reply<Vec<PromoView>> {
    service.box_office().promo_codes(required_show(&show_id)?).await.map_err(body)
}

#[tauri::command]
pub async fn promo_create(service: Service<'_>, input: PromoInput) -> Reply<PromoView> {
    service.box_office().create_promo(OPERATOR, &input).await.map_err(body)
}

/// Viewers over the show: `[ms, viewers | null]`, five-second buckets.
#[tauri::command]
pub async fn audience_series(service: Service<'_>, show_id: String) -> Reply<Vec<(i64, Option<i64>)>> {
    service.box_office().audience_series(required_show(&show_id)?).await.map_err(body)
}
