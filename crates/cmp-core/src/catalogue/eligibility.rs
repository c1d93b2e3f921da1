//! Eligibility (DOMAIN.md, Eligibility and compatibility): an item is eligible on the
//! as-of date for a sales channel when the date is in [effectiveDate, expiryDate), its
//! channel list is empty or names the channel, and every request parameter it has a
//! condition on matches one of the condition's values (`Category` is such a condition).

use chrono::NaiveDate;
use cmp_model::messages::{Eligibility, EligibilityRules};

/// What a request asks eligibility for.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Asking {
    pub date: NaiveDate,
    /// None: no channel given, so channel lists do not filter (*choice*).
    pub channel: Option<String>,
    pub parameters: Vec<(String, String)>,
}

impl Asking {
    /// The channel and parameters of `rules` (both the 8.x `parameter*` and the 7.3.8
    /// repeated `parameters` with name/value), on `date`.
    pub fn new(rules: Option<&EligibilityRules>, date: NaiveDate) -> Asking {
        let mut parameters = Vec::new();
        for p in rules.iter().flat_map(|r| &r.parameters) {
            parameters.extend(
                p.parameter
                    .iter()
                    .map(|x| (x.name.clone(), x.value.clone())),
            );
            if let (Some(n), Some(v)) = (&p.name, &p.value) {
                parameters.push((n.clone(), v.clone()));
            }
        }
        Asking {
            date,
            channel: rules.map(|r| r.sales_channel.clone()),
            parameters,
        }
    }

    pub fn allows(
        &self,
        effective: NaiveDate,
        expiry: Option<NaiveDate>,
        rules: Option<&Eligibility>,
    ) -> bool {
        if self.date < effective || expiry.is_some_and(|e| self.date >= e) {
            return false;
        }
        let Some(rules) = rules else { return true };
        let channel_ok = match (&self.channel, &rules.sales_channels) {
            (Some(ch), Some(list)) if !list.sales_channel.is_empty() => list
                .sales_channel
                .iter()
                .any(|c| c.eq_ignore_ascii_case(ch)),
            _ => true,
        };
        channel_ok
            && self.parameters.iter().all(|(name, value)| {
                let condition = rules
                    .conditions
                    .iter()
                    .flat_map(|c| &c.condition)
                    .find(|c| c.name.eq_ignore_ascii_case(name));
                condition.is_none_or(|c| c.value.iter().any(|v| v.eq_ignore_ascii_case(value)))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cmp_model::messages::{ChannelList, Condition, Conditions};

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    fn rules() -> Eligibility {
        Eligibility {
            sales_channels: Some(ChannelList {
                sales_channel: vec!["RETAIL".into(), "TELESALES".into()],
            }),
            conditions: Some(Conditions {
                condition: vec![Condition {
                    name: "Category".into(),
                    value: vec!["Bolt-on Packages".into(), "Data".into()],
                }],
            }),
        }
    }

    fn asking(channel: &str, params: &[(&str, &str)]) -> Asking {
        Asking {
            date: d(6, 1),
            channel: Some(channel.into()),
            parameters: params
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
        }
    }

    #[test]
    fn dates_are_effective_inclusive_and_expiry_exclusive() {
        let a = asking("RETAIL", &[]);
        assert!(a.allows(d(6, 1), Some(d(6, 2)), None));
        assert!(!a.allows(d(6, 2), None, None));
        assert!(!a.allows(d(1, 1), Some(d(6, 1)), None));
    }

    #[test]
    fn channels_and_conditions_filter() {
        let r = rules();
        assert!(asking("retail", &[]).allows(d(1, 1), None, Some(&r)));
        assert!(!asking("MYACCOUNT", &[]).allows(d(1, 1), None, Some(&r)));
        assert!(asking("RETAIL", &[("Category", "data")]).allows(d(1, 1), None, Some(&r)));
        assert!(!asking("RETAIL", &[("Category", "Recommended")]).allows(d(1, 1), None, Some(&r)));
        // A parameter the item has no condition on does not filter it.
        assert!(asking("RETAIL", &[("Handset Band", "A")]).allows(d(1, 1), None, Some(&r)));
    }
}
