//! `/practice/schedule`: one practice's day, with the previous and next days and the
//! practice picker.

use askama::Template;
use axum::extract::Query;
use axum::response::Response;
use jiff::ToSpan;
use jiff::civil::Date;
use serde::Deserialize;

use super::{Row, Staff, chrome, day_rows, pick_practice};
use crate::web::booking::Choice;
use crate::web::chrome::{Chrome, PageCtx};
use crate::web::error::{WebError, WebResult};
use crate::web::html;

#[derive(Template)]
#[template(path = "staff/schedule.html")]
struct SchedulePage {
    chrome: Chrome,
    practices: Vec<Choice>,
    practice_id: String,
    practice_name: String,
    date: String,
    prev: String,
    next: String,
    rows: Vec<Row>,
    back: String,
}

#[derive(Deserialize)]
pub struct DayQuery {
    practice: Option<String>,
    date: Option<String>,
}

/// `GET /practice/schedule?practice=&date=`
pub async fn day_view(
    ctx: PageCtx,
    staff: Staff,
    Query(q): Query<DayQuery>,
) -> WebResult<Response> {
    let p = &staff.principal;
    let (practices, chosen) = pick_practice(p, q.practice.as_deref()).await?;
    let date = q.date.filter(|d| !d.trim().is_empty());
    if let Some(d) = &date
        && d.parse::<Date>().is_err()
    {
        return Err(WebError::BadRequest(
            "the date must be written as 2027-01-04".into(),
        ));
    }
    let Some(pr) = chosen else {
        return html(&SchedulePage {
            chrome: chrome(&ctx, "Schedule", p),
            practices,
            practice_id: String::new(),
            practice_name: String::new(),
            date: String::new(),
            prev: String::new(),
            next: String::new(),
            rows: Vec::new(),
            back: "/practice/schedule".into(),
        });
    };
    let (date, rows) = day_rows(p, &pr, date).await?;
    let day: Date = date.parse().map_err(|_| WebError::NotFound)?;
    let step = |n: i64| {
        day.checked_add(n.days())
            .map(|d| d.to_string())
            .unwrap_or_default()
    };
    let practice_id = pr.id.to_string();
    html(&SchedulePage {
        chrome: chrome(&ctx, format!("Schedule {date}"), p),
        back: format!("/practice/schedule?practice={practice_id}&date={date}"),
        prev: step(-1),
        next: step(1),
        practices,
        practice_id,
        practice_name: pr.name,
        date,
        rows,
    })
}
