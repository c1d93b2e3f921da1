//! The decoder through documents of the golden fixtures' types (`crate::golden`): every
//! error kind with its rendered path, in XML and in JSON, and the scalars of `values.rs`
//! read through a [`Reader`].

use super::*;
use crate::fault::PathStyle;
use crate::golden::document::{Delivery, Line, Lines, Order, Status};
use crate::golden::facets::Measures;
use crate::node::Limits;

/// One error as the wire shows it: (messageId, path).
type Shown = (String, String);

fn shown(errors: Vec<FieldError>, style: PathStyle) -> Vec<Shown> {
    errors
        .iter()
        .map(|e| (e.message_id.to_string(), e.render_path(style, "")))
        .collect()
}

fn xml<T: Document>(doc: &str) -> Result<T, Vec<Shown>> {
    let node = crate::xml::parse(doc, Limits::default(), false).unwrap();
    decode_document::<T>(&node).map_err(|e| shown(e, PathStyle::Xml))
}

fn json<T: Document>(doc: &str) -> Result<T, Vec<Shown>> {
    let node = crate::json::parse(doc, T::ROOT, T::ALIASES, Limits::default()).unwrap();
    decode_document::<T>(&node).map_err(|e| shown(e, PathStyle::Json))
}

/// Sends an order as XML (`xml_body` inside `<order>`) and as JSON (`json_body` inside
/// `{}`) and checks the errors of each: (messageId, XML path, JSON path).
fn check_order(xml_body: &str, json_body: &str, want: &[(&str, &str, &str)]) {
    let x = xml::<Order>(&format!("<order>{xml_body}</order>")).unwrap_err();
    let j = json::<Order>(&format!("{{{json_body}}}")).unwrap_err();
    let (want_x, want_j): (Vec<Shown>, Vec<Shown>) = want
        .iter()
        .map(|(c, xp, jp)| {
            (
                (c.to_string(), xp.to_string()),
                (c.to_string(), jp.to_string()),
            )
        })
        .unzip();
    assert_eq!(x, want_x, "XML {xml_body}");
    assert_eq!(j, want_j, "JSON {json_body}");
}

fn one(code: &str, path: &str) -> Vec<Shown> {
    vec![(code.to_string(), path.to_string())]
}

#[test]
fn a_valid_order_decodes_in_both_dialects() {
    let want = Order {
        reference: "ABC".into(),
        note: Some("hello".into()),
        quantity: Some(2),
        status: Some(Status::Closed),
        r#type: None,
        url_value: None,
        delivery: Some(Delivery::Collect(true)),
        lines: Some(Lines {
            line: vec![
                Line {
                    item: "XYZ".into(),
                    count: None,
                },
                Line {
                    item: "QRS".into(),
                    count: Some(5),
                },
            ],
        }),
    };
    // Any child order, case-insensitive enumerations, an alias, an empty optional.
    let x = xml::<Order>(
        "<order><lines><line><item>XYZ</item><count/></line><line><count>5</count><item>QRS</item></line></lines>\
         <status>closed</status><remark>hello</remark><quantity> 2 </quantity><reference>ABC</reference>\
         <delivery><collect>true</collect></delivery><type/></order>",
    );
    assert_eq!(x, Ok(want.clone()));
    let j = json::<Order>(
        r#"{"purchaseOrder":{"reference":"ABC","note":"hello","quantity":2,"status":"CLOSED",
            "type":null,"URLValue":"","delivery":{"collect":true},
            "lines":{"line":[{"item":"XYZ"},{"item":"QRS","count":5}]}}}"#,
    );
    assert_eq!(j, Ok(want));
}

#[test]
fn mandatory() {
    let want = [("MANDATORY", "order/reference", "reference")];
    check_order("", "", &want);
    // Sent empty is not sent.
    check_order("<reference> </reference>", r#""reference":null"#, &want);
    check_order("<reference/>", r#""reference":"""#, &want);
    // Inside a repeated element.
    check_order(
        "<reference>ABC</reference><lines><line><count>1</count></line></lines>",
        r#""reference":"ABC","lines":{"line":[{"count":1}]}"#,
        &[(
            "MANDATORY",
            "order/lines/line[1]/item",
            "lines.line[0].item",
        )],
    );
}

#[test]
fn duplicate_element() {
    check_order(
        "<reference>ABC</reference><note>ab</note><note>cd</note>",
        r#""reference":"ABC","note":"ab","note":"cd""#,
        &[("DUPLICATE_ELEMENT", "order/note", "note")],
    );
    // A name and its alias are the same field.
    check_order(
        "<reference>ABC</reference><reference>DEF</reference><note>ab</note><remark>cd</remark>",
        r#""reference":"ABC","reference":"DEF","note":"ab","remark":"cd""#,
        &[
            ("DUPLICATE_ELEMENT", "order/reference", "reference"),
            ("DUPLICATE_ELEMENT", "order/note", "note"),
        ],
    );
}

#[test]
fn too_many() {
    let line = "<line><item>ABC</item></line>";
    check_order(
        &format!(
            "<reference>ABC</reference><lines>{}</lines>",
            line.repeat(3)
        ),
        r#""reference":"ABC","lines":{"line":[{"item":"ABC"},{"item":"ABC"},{"item":"ABC"}]}"#,
        &[("TOO_MANY", "order/lines/line", "lines.line")],
    );
}

#[test]
fn unknown_element() {
    check_order(
        "<reference>ABC</reference><colour>red</colour><lines><line><item>ABC</item><size/></line></lines>",
        r#""reference":"ABC","colour":"red","lines":{"line":[{"item":"ABC","size":null}]}"#,
        &[
            ("UNKNOWN_ELEMENT", "order/colour", "colour"),
            ("UNKNOWN_ELEMENT", "order/lines/line[1]/size", "lines.line[0].size"),
        ],
    );
}

#[test]
fn choice() {
    check_order(
        "<reference>ABC</reference><delivery><date>2024-01-31</date><collect>true</collect></delivery>",
        r#""reference":"ABC","delivery":{"date":"2024-01-31","collect":true}"#,
        &[("CHOICE", "order/delivery", "delivery")],
    );
    // Neither: an unknown child is named, then the choice.
    check_order(
        "<reference>ABC</reference><delivery><drone>yes</drone></delivery>",
        r#""reference":"ABC","delivery":{"drone":"yes"}"#,
        &[
            ("UNKNOWN_ELEMENT", "order/delivery/drone", "delivery.drone"),
            ("CHOICE", "order/delivery", "delivery"),
        ],
    );
}

#[test]
fn invalid_format_a_container_where_a_value_belongs() {
    check_order(
        "<reference>ABC</reference><note><b>bold</b></note>",
        r#""reference":"ABC","note":{"b":"bold"}"#,
        &[("INVALID_FORMAT", "order/note", "note")],
    );
}

#[test]
fn an_empty_json_container_is_refused_where_a_value_belongs_and_absent_where_a_container_does() {
    for (body, path) in [
        (r#""reference":"ABC","quantity":{}"#, "quantity"),
        (r#""reference":"ABC","quantity":[]"#, "quantity"),
        (r#""reference":{}"#, "reference"),
        (
            r#""reference":"ABC","delivery":{"date":[]}"#,
            "delivery.date",
        ),
    ] {
        let e = json::<Order>(&format!("{{{body}}}")).unwrap_err();
        assert_eq!(e, one("INVALID_FORMAT", path), "{body}");
    }
    let o = json::<Order>(r#"{"reference":"ABC","delivery":{},"lines":[]}"#).unwrap();
    assert_eq!((o.delivery, o.lines), (None, None));
    // A required container sent empty is still missing.
    let e = json::<Order>(r#"{"reference":"ABC","lines":{"line":[{}]}}"#).unwrap_err();
    assert_eq!(e, one("MANDATORY", "lines.line"));
}

#[test]
fn a_forbidden_character_is_refused_in_any_scalar_before_its_type() {
    check_order(
        "<reference>A&#1;C</reference><note>x&#0;yz</note><quantity>1\u{1}</quantity><status>&#xFFFF;</status>",
        r#""reference":"A\u0001C","note":"x\u0000yz","quantity":"1\u0001","status":"\ud800""#,
        &[
            ("FORBIDDEN_CHARACTER", "order/reference", "reference"),
            ("FORBIDDEN_CHARACTER", "order/note", "note"),
            ("FORBIDDEN_CHARACTER", "order/quantity", "quantity"),
            ("FORBIDDEN_CHARACTER", "order/status", "status"),
        ],
    );
}

#[test]
fn invalid_format_a_value_where_a_container_belongs() {
    check_order(
        "<reference>ABC</reference><lines>three</lines>",
        r#""reference":"ABC","lines":"three""#,
        &[("INVALID_FORMAT", "order/lines", "lines")],
    );
    // In a choice.
    check_order(
        "<reference>ABC</reference><delivery>tomorrow</delivery>",
        r#""reference":"ABC","delivery":"tomorrow""#,
        &[("INVALID_FORMAT", "order/delivery", "delivery")],
    );
}

#[test]
fn invalid_format_of_a_scalar() {
    check_order(
        "<reference>ABC</reference><quantity>ten</quantity><delivery><date>31/01/2024</date></delivery>",
        r#""reference":"ABC","quantity":"ten","delivery":{"date":"31/01/2024"}"#,
        &[
            ("INVALID_FORMAT", "order/quantity", "quantity"),
            ("INVALID_FORMAT", "order/delivery/date", "delivery.date"),
        ],
    );
}

#[test]
fn too_long_and_too_short() {
    check_order(
        "<reference>ABCD</reference><note>x</note>",
        r#""reference":"ABCD","note":"x""#,
        &[
            ("TOO_LONG", "order/reference", "reference"),
            ("TOO_SHORT", "order/note", "note"),
        ],
    );
    // The position of a repeated element: 1-based in XML, 0-based in JSON.
    check_order(
        "<reference>ABC</reference><lines><line><item>ABC</item></line><line><item>ABCDEF</item></line></lines>",
        r#""reference":"ABC","lines":{"line":[{"item":"ABC"},{"item":"ABCDEF"}]}"#,
        &[("TOO_LONG", "order/lines/line[2]/item", "lines.line[1].item")],
    );
}

#[test]
fn out_of_range() {
    for (xv, jv) in [("100", "100"), ("0", "0"), ("-5", "\"-5\"")] {
        check_order(
            &format!("<reference>ABC</reference><quantity>{xv}</quantity>"),
            &format!(r#""reference":"ABC","quantity":{jv}"#),
            &[("OUT_OF_RANGE", "order/quantity", "quantity")],
        );
    }
}

#[test]
fn invalid_enum() {
    check_order(
        "<reference>ABC</reference><status>PENDING</status>",
        r#""reference":"ABC","status":"PENDING""#,
        &[("INVALID_ENUM", "order/status", "status")],
    );
}

#[test]
fn every_error_is_collected_with_its_phrase() {
    let node = crate::xml::parse(
        "<order><reference>ABCD</reference><quantity>0</quantity><status>x</status><colour/></order>",
        Limits::default(),
        false,
    )
    .unwrap();
    let errors = decode_document::<Order>(&node).unwrap_err();
    let texts: Vec<String> = errors
        .iter()
        .map(|e| e.render_text(PathStyle::Xml))
        .collect();
    assert_eq!(
        texts,
        [
            "colour is not a known element",
            "reference exceeds 3 characters",
            "quantity is out of range (1 to 99)",
            "status is not one of: OPEN, CLOSED",
        ]
    );
}

/// A `measures` document (the facets fixture: each facet, each builtin) with one field
/// replaced.
fn measures(field: &str, value: &str) -> String {
    let fields = [
        ("code", "ABC"),
        ("name", "Ann"),
        ("shortName", "Bob"),
        ("digits8", " 12345678 "),
        ("count", "7"),
        ("digits", "1234"),
        ("amount", "-100.50"),
        ("text", " any text "),
        ("integer", "-12"),
        ("int", "+3"),
        ("long", "9000000000"),
        ("decimal", "0.125"),
        ("date", "2024-02-29+01:00"),
        ("dateTime", "2026-11-01T09:30:00"),
        ("flag", "1"),
        ("size", "0"),
        ("position", "1"),
    ];
    assert!(fields.iter().any(|(f, _)| *f == field) || field.is_empty());
    let mut out = String::from("<measures>");
    for (f, v) in fields {
        let v = if f == field { value } else { v };
        out.push_str(&format!("<{f}>{v}</{f}>"));
    }
    out + "</measures>"
}

/// Decodes `xml` as the content of a `Measures` (a type without a document root).
fn read_measures(xml: &str) -> Result<Measures, Vec<Shown>> {
    let node = crate::xml::parse(xml, Limits::default(), false).unwrap();
    let mut r = Reader::new("measures");
    match Measures::decode(&node, &mut r) {
        Some(m) if r.errors.is_empty() => Ok(m),
        _ => Err(shown(r.errors, PathStyle::Xml)),
    }
}

#[test]
fn scalars_of_each_builtin_and_facet_are_read() {
    let m = read_measures(&measures("", "")).unwrap();
    assert_eq!(
        (m.code.as_str(), m.text.as_str(), m.integer, m.int, m.long),
        ("ABC", "any text", -12, 3, 9_000_000_000)
    );
    assert_eq!(
        (m.amount.to_string(), m.decimal.to_string()),
        ("-100.50".into(), "0.125".into())
    );
    assert_eq!(m.date, crate::Date::from_ymd_opt(2024, 2, 29).unwrap());
    assert_eq!(m.date_time.to_rfc3339(), "2026-11-01T09:30:00+00:00");
    assert!(m.flag);
    assert_eq!((m.size, m.position), (0, 1));
    assert_eq!(m.digits8, "12345678");
}

#[test]
fn scalars_are_refused_by_their_facets_and_primitive() {
    let cases = [
        ("code", "AB", "TOO_SHORT"),
        ("code", "ABCD", "TOO_LONG"),
        ("name", "A", "TOO_SHORT"),
        ("name", "Abcdefghijk", "TOO_LONG"),
        // ShortName restricts Name: its own maxLength, Name's minLength.
        ("shortName", "Bobby6", "TOO_LONG"),
        ("shortName", "B", "TOO_SHORT"),
        // Digits8's pattern, on the trimmed value, whole.
        ("digits8", "1234567", "INVALID_FORMAT"),
        ("digits8", "123456789", "INVALID_FORMAT"),
        ("digits8", "1234567a", "INVALID_FORMAT"),
        ("count", "0", "OUT_OF_RANGE"),
        ("count", "100", "OUT_OF_RANGE"),
        ("count", "1.0", "INVALID_FORMAT"),
        ("digits", "12345", "OUT_OF_RANGE"),
        ("digits", "-1", "OUT_OF_RANGE"),
        ("amount", "-100.51", "OUT_OF_RANGE"),
        ("amount", "1.005", "INVALID_FORMAT"),
        ("amount", "123456.00", "INVALID_FORMAT"),
        ("amount", "1e3", "INVALID_FORMAT"),
        ("integer", "12a", "INVALID_FORMAT"),
        ("long", "99999999999999999999", "OUT_OF_RANGE"),
        ("decimal", "1,5", "INVALID_FORMAT"),
        ("date", "2024-02-30", "INVALID_FORMAT"),
        ("dateTime", "2026-11-01", "INVALID_FORMAT"),
        ("flag", "yes", "INVALID_FORMAT"),
        ("size", "-1", "OUT_OF_RANGE"),
        ("position", "0", "OUT_OF_RANGE"),
    ];
    for (field, value, code) in cases {
        assert_eq!(
            read_measures(&measures(field, value)),
            Err(one(code, &format!("measures/{field}"))),
            "{field} = {value}"
        );
    }
}

#[test]
fn encoding_writes_what_decoding_reads() {
    let order = xml::<Order>(
        "<order><reference>ABC</reference><status>open</status><lines><line><item>XYZ</item></line></lines></order>",
    )
    .unwrap();
    assert_eq!(
        crate::render::xml("order", &order),
        r#"<?xml version="1.0" encoding="UTF-8"?><order><reference>ABC</reference><status>OPEN</status><lines><line><item>XYZ</item></line></lines></order>"#
    );
    assert_eq!(
        crate::render::json(&order),
        r#"{"reference":"ABC","status":"OPEN","lines":{"line":[{"item":"XYZ"}]}}"#
    );
}

mod erasable {
    use super::*;
    use crate::golden::erasable::{Contact, Kind, Person, Place};

    fn person_xml(body: &str) -> Result<Person, Vec<Shown>> {
        xml::<Contact>(&format!("<contact><person>{body}</person></contact>"))
            .map(|c| c.person.unwrap())
    }

    fn person_json(body: &str) -> Result<Person, Vec<Shown>> {
        json::<Contact>(&format!(r#"{{"person":{{{body}}}}}"#)).map(|c| c.person.unwrap())
    }

    #[test]
    fn a_field_is_absent_sent_empty_or_a_value() {
        let p = person_xml("<kind>HOME</kind><name/><born> </born>").unwrap();
        assert_eq!(
            (p.name, p.born, p.home),
            (Patch::Empty, Patch::Empty, Patch::Absent)
        );
        let p = person_json(r#""kind":"HOME","name":"","born":null"#).unwrap();
        assert_eq!(
            (p.name, p.born, p.home),
            (Patch::Empty, Patch::Empty, Patch::Absent)
        );
        let p = person_xml("<kind>work</kind><name>Ann</name><home/>").unwrap();
        assert_eq!(
            (p.kind, p.name, p.home),
            (Kind::Work, Patch::Value("Ann".into()), Patch::Empty)
        );
        let p = person_json(r#""kind":"HOME","home":{"town":""}"#).unwrap();
        assert_eq!(p.home, Patch::Value(Place { town: None }));
        // A type that is not erasable reads sent empty as absent.
        let p = person_json(r#""kind":"HOME","home":{"town":null}"#).unwrap();
        assert_eq!(p.home.value().unwrap().town, None);
    }

    #[test]
    fn an_empty_json_container_is_refused_for_an_erasable_value_and_sent_empty_for_a_container() {
        let e = person_json(r#""kind":"HOME","name":{}"#).unwrap_err();
        assert_eq!(e, one("INVALID_FORMAT", "person.name"));
        let p = person_json(r#""kind":"HOME","home":{}"#).unwrap();
        assert_eq!(p.home, Patch::Empty);
    }

    #[test]
    fn a_value_keeps_its_checks() {
        assert_eq!(
            person_xml("<kind>HOME</kind><name>Abcdefghijk</name><name/>").unwrap_err(),
            one("DUPLICATE_ELEMENT", "contact/person/name")
        );
        assert_eq!(
            person_json(r#""kind":"HOME","name":"Abcdefghijk","born":"yesterday""#).unwrap_err(),
            vec![
                ("TOO_LONG".to_string(), "person.name".to_string()),
                ("INVALID_FORMAT".to_string(), "person.born".to_string()),
            ]
        );
        // A required field sent empty is still missing.
        assert_eq!(
            person_xml("<kind/><name/>").unwrap_err(),
            one("MANDATORY", "contact/person/kind")
        );
    }

    #[test]
    fn absent_and_sent_empty_encode_as_nothing() {
        let contact = Contact {
            person: Some(Person {
                kind: Kind::Home,
                name: Patch::Empty,
                born: Patch::Absent,
                home: Patch::Value(Place {
                    town: Some("Leeds".into()),
                }),
                nicknames: vec![],
            }),
        };
        assert_eq!(
            crate::render::xml("contact", &contact),
            r#"<?xml version="1.0" encoding="UTF-8"?><contact><person><kind>HOME</kind><home><town>Leeds</town></home></person></contact>"#
        );
        assert_eq!(
            crate::render::json(&contact),
            r#"{"person":{"kind":"HOME","home":{"town":"Leeds"},"nicknames":[]}}"#
        );
    }

    #[test]
    fn the_helpers_read_the_three_states() {
        let (absent, empty, value) = (Patch::<i64>::Absent, Patch::<i64>::Empty, Patch::Value(7));
        assert_eq!(
            (absent.value(), empty.value(), value.value()),
            (None, None, Some(&7))
        );
        assert_eq!(
            (absent.into_value(), empty.into_value(), value.into_value()),
            (None, None, Some(7))
        );
        assert_eq!(
            (
                absent.is_empty_sent(),
                empty.is_empty_sent(),
                value.is_empty_sent()
            ),
            (false, true, false)
        );
        assert!(absent.is_absent() && !empty.is_absent());
        assert_eq!(Patch::from(Some(7)), value);
        assert_eq!(Patch::<i64>::from(None), absent);
        assert_eq!(Patch::<i64>::default(), absent);
        assert_eq!(
            (
                absent.map(|v| v + 1),
                empty.map(|v| v + 1),
                value.map(|v| v + 1)
            ),
            (Patch::Absent, Patch::Empty, Patch::Value(8))
        );
    }
}

#[test]
fn rules_across_fields_name_every_field_they_count() {
    use crate::golden::together::Placement;
    let doc = |body: &str| format!("<placement>{body}</placement>");
    // Exactly one level, a label or a place: both met.
    let ok = xml::<Placement>(&doc("<account>7</account><label>L</label>")).unwrap();
    assert_eq!((ok.account, ok.label.as_deref()), (Some(7), Some("L")));
    // None of a <oneOf> (a blank element is not given) and none of an <atLeastOne>:
    // MANDATORY on the first field of each.
    assert_eq!(
        xml::<Placement>(&doc("<group> </group>")).unwrap_err(),
        [
            ("MANDATORY".to_string(), "placement/group".to_string()),
            ("MANDATORY".to_string(), "placement/label".to_string())
        ]
    );
    // Several of a <oneOf> (its code) and of an <atMostOne> (CHOICE by default): each
    // given field is named, a value refused by its type too.
    assert_eq!(
        json::<Placement>(
            r#"{"group":"G","account":"x","near":"N","far":"F","place":{"town":"T"}}"#
        )
        .unwrap_err(),
        [
            ("INVALID_FORMAT".to_string(), "account".to_string()),
            ("TWO_LEVELS".to_string(), "group".to_string()),
            ("TWO_LEVELS".to_string(), "account".to_string()),
            ("CHOICE".to_string(), "near".to_string()),
            ("CHOICE".to_string(), "far".to_string())
        ]
    );
    // JSON null and "" are not given.
    let ok = json::<Placement>(r#"{"group":null,"corporate":"","account":1,"place":{"town":"T"}}"#)
        .unwrap();
    assert_eq!(ok.account, Some(1));
}

#[test]
fn json_booleans_are_true_or_false_and_list_items_are_never_null() {
    let collect = |v: &str| {
        json::<Order>(&format!(
            r#"{{"reference":"ABC","delivery":{{"collect":{v}}}}}"#
        ))
    };
    assert!(collect("true").is_ok());
    assert_eq!(
        collect("1").unwrap_err(),
        one("INVALID_FORMAT", "delivery.collect")
    );
    assert_eq!(
        collect("0").unwrap_err(),
        one("INVALID_FORMAT", "delivery.collect")
    );
    // XML's lexical space keeps 1 and 0.
    assert!(xml::<Order>(
        "<order><reference>ABC</reference><delivery><collect>1</collect></delivery></order>"
    )
    .is_ok());
    // `null` as an item is refused, naming it; `null` for the whole list is absent.
    assert_eq!(
        json::<Order>(r#"{"reference":"ABC","lines":{"line":[{"item":"XYZ"},null]}}"#).unwrap_err(),
        one("INVALID_FORMAT", "lines.line[1]")
    );
}
