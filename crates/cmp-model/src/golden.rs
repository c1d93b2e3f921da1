//! The generator's golden outputs (`cmp-schema/tests/golden/*.rs.golden`) compiled against
//! this runtime, each in its own module as `messages` includes the real one: a runtime
//! change that generated code no longer fits fails here, not only in the real messages.
//! The codec tests decode documents of these types.

macro_rules! golden {
    ($($name:ident),*) => {$(
        pub mod $name {
            #![allow(clippy::all, missing_docs, dead_code, unused_variables)]
            use crate::codec::*;
            use crate::node::Node;
            include!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../cmp-schema/tests/golden/",
                stringify!($name),
                ".rs.golden"
            ));
        }
    )*};
}

golden!(document, enumeration, erasable, facets, groups, together);

/// Every fixture is listed above.
#[test]
fn every_golden_file_is_compiled() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../cmp-schema/tests/golden");
    let mut stems: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            name.strip_suffix(".rs.golden").map(str::to_string)
        })
        .collect();
    stems.sort();
    assert_eq!(
        stems,
        [
            "document",
            "enumeration",
            "erasable",
            "facets",
            "groups",
            "together"
        ]
    );
}
