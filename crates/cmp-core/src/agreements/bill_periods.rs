//! Bill periods (DOMAIN.md "Time and scheduled actions"): an agreement's bill cycle day
//! cuts time into periods `[start, end)`, each ending on the next invoice date. Allowances,
//! unbilled usage and spend caps are per period; `nextExpectedInvoiceDate` rolls forward
//! period by period as the clock passes it.

use chrono::{Datelike, Months, NaiveDate};

/// One bill period: from `start` up to, not including, `end` (the invoice date).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BillPeriod {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

/// The cycle day in the month of `first` (a 1st), clamped to the month's last day.
fn in_month(first: NaiveDate, day: u32) -> NaiveDate {
    let last = (first + Months::new(1))
        .pred_opt()
        .expect("a day before the 1st")
        .day();
    first
        .with_day(day.clamp(1, last))
        .expect("clamped day exists")
}

fn first_of(d: NaiveDate) -> NaiveDate {
    d.with_day(1).expect("day 1 exists")
}

/// The bill period that holds `date`, for bill cycle day `day` (1–31; short months end
/// their period on their last day).
pub fn period_containing(date: NaiveDate, day: u32) -> BillPeriod {
    let this = in_month(first_of(date), day);
    let start = if this <= date {
        this
    } else {
        in_month(first_of(date) - Months::new(1), day)
    };
    BillPeriod {
        start,
        end: in_month(first_of(start) + Months::new(1), day),
    }
}

/// The next invoice date as of `today`: the stored one while it is still ahead, else the
/// end of the period that holds `today` (the stored date rolled forward).
pub fn next_invoice_date(stored: NaiveDate, day: u32, today: NaiveDate) -> NaiveDate {
    if stored > today {
        stored
    } else {
        period_containing(today, day).end
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn periods_run_from_one_cycle_day_to_the_next() {
        let p = period_containing(d(2026, 11, 22), 15);
        assert_eq!((p.start, p.end), (d(2026, 11, 15), d(2026, 12, 15)));
        let p = period_containing(d(2026, 11, 10), 15);
        assert_eq!((p.start, p.end), (d(2026, 10, 15), d(2026, 11, 15)));
        // The cycle day itself starts a period.
        assert_eq!(
            period_containing(d(2026, 11, 15), 15).start,
            d(2026, 11, 15)
        );
    }

    #[test]
    fn short_months_end_their_period_on_their_last_day() {
        let p = period_containing(d(2027, 2, 28), 31);
        assert_eq!((p.start, p.end), (d(2027, 2, 28), d(2027, 3, 31)));
        let p = period_containing(d(2027, 2, 27), 31);
        assert_eq!((p.start, p.end), (d(2027, 1, 31), d(2027, 2, 28)));
        let p = period_containing(d(2028, 2, 29), 30);
        assert_eq!((p.start, p.end), (d(2028, 2, 29), d(2028, 3, 30)));
    }

    #[test]
    fn the_next_invoice_date_rolls_forward_once_passed() {
        assert_eq!(
            next_invoice_date(d(2026, 12, 1), 1, d(2026, 11, 22)),
            d(2026, 12, 1)
        );
        assert_eq!(
            next_invoice_date(d(2026, 12, 1), 1, d(2026, 12, 1)),
            d(2027, 1, 1)
        );
        assert_eq!(
            next_invoice_date(d(2026, 12, 1), 1, d(2027, 3, 9)),
            d(2027, 4, 1)
        );
    }
}
