//! Realistic made-up values chosen by format and by name: emails, names, phone numbers,
//! URLs, addresses, titles and text, dates and times, ids; `limit`-like numbers small.

use fake::faker::address::en::{CityName, CountryName, StreetName, ZipCode};
use fake::faker::internet::en::{IPv4, IPv6, Username};
use fake::faker::lorem::en::{Sentence, Word, Words};
use fake::faker::name::en::{FirstName, LastName, Name};
use fake::Fake;
use rand::rngs::SmallRng;
use rand::RngExt;
use serde_json::Value;

/// A string for a property or parameter called `name` with an optional `format`.
pub fn string_for(name: &str, format: Option<&str>, rng: &mut SmallRng) -> String {
    if let Some(made) = format.and_then(|f| by_format(f, rng)) {
        return made;
    }
    text_for(name, rng)
}

/// A string by format: the formats FastAPI and Pydantic emit.
fn by_format(format: &str, rng: &mut SmallRng) -> Option<String> {
    Some(match format {
        "email" | "idn-email" => email(rng),
        "uuid" | "uuid4" => uuid(rng),
        "date-time" => date_time(rng),
        "date" => date_time(rng)[..10].to_string(),
        "time" => format!(
            "{:02}:{:02}:{:02}",
            rng.random_range(0..24),
            rng.random_range(0..60),
            rng.random_range(0..60)
        ),
        "duration" => format!("PT{}M", rng.random_range(1..120)),
        "uri" | "url" | "iri" | "uri-reference" => url(rng),
        "hostname" | "idn-hostname" => {
            format!("{}.example.com", Word().fake_with_rng::<String, _>(rng))
        }
        "ipv4" => IPv4().fake_with_rng(rng),
        "ipv6" => IPv6().fake_with_rng(rng),
        "password" => format!("Pw-{}", rng.random_range(100_000..999_999)),
        "byte" => "ZGVtbyBjb250ZW50".to_string(),
        "binary" => Words(3..8).fake_with_rng::<Vec<String>, _>(rng).join(" "),
        _ => return None,
    })
}

/// A string chosen by what the name suggests; plain words when it suggests nothing.
pub fn text_for(name: &str, rng: &mut SmallRng) -> String {
    let lower = name.to_ascii_lowercase();
    let has = |needle: &str| lower.contains(needle);
    if has("email") {
        email(rng)
    } else if has("uuid")
        || lower == "id"
        || lower.ends_with("_id")
        || lower.ends_with("id") && name.ends_with("Id")
    {
        uuid(rng)
    } else if has("first_name") || has("firstname") || has("given") {
        FirstName().fake_with_rng(rng)
    } else if has("last_name") || has("lastname") || has("surname") || has("family") {
        LastName().fake_with_rng(rng)
    } else if has("username") || has("user_name") || has("login") || has("handle") {
        Username().fake_with_rng(rng)
    } else if has("name") || has("author") || has("owner") || has("assignee") || has("reporter") {
        Name().fake_with_rng(rng)
    } else if has("phone") || has("mobile") || has("tel") {
        format!("+1 555 {:04}", rng.random_range(0..10_000))
    } else if has("url") || has("uri") || has("link") || has("website") || has("href") {
        url(rng)
    } else if has("city") {
        CityName().fake_with_rng(rng)
    } else if has("country") {
        CountryName().fake_with_rng(rng)
    } else if has("street") || has("address") {
        format!(
            "{} {}",
            rng.random_range(1..999),
            StreetName().fake_with_rng::<String, _>(rng)
        )
    } else if has("zip") || has("postal") || has("postcode") {
        ZipCode().fake_with_rng(rng)
    } else if has("date") || has("_at") || has("time") {
        date_time(rng)
    } else if has("description")
        || has("comment")
        || has("summary")
        || has("text")
        || has("body")
        || has("message")
        || has("note")
    {
        Sentence(5..12).fake_with_rng(rng)
    } else if has("title") || has("subject") || has("label") || has("headline") {
        capitalise(&Words(2..5).fake_with_rng::<Vec<String>, _>(rng).join(" "))
    } else if has("tag") || has("slug") || has("key") || has("code") {
        word(rng)
    } else {
        Words(1..3).fake_with_rng::<Vec<String>, _>(rng).join(" ")
    }
}

/// The range an unbounded integer called `name` is drawn from: small for paging.
pub fn integer_range(name: &str) -> (i64, i64) {
    let lower = name.to_ascii_lowercase();
    match lower.as_str() {
        "limit" | "size" | "page_size" | "pagesize" | "per_page" | "perpage" | "count" | "top"
        | "take" | "first" => (1, 20),
        "offset" | "skip" => (0, 10),
        "page" | "page_number" => (1, 3),
        _ if lower.ends_with("_id") || lower == "id" => (1, 1000),
        _ if lower.contains("year") => (2000, 2030),
        _ if lower.contains("age") => (18, 90),
        _ => (1, 100),
    }
}

/// The generators a values file may name (`{ generator = "email" }`), besides the
/// numeric ones `overrides` draws itself.
pub const GENERATORS: &[&str] = &[
    "email",
    "uuid",
    "name",
    "first_name",
    "last_name",
    "username",
    "phone",
    "url",
    "hostname",
    "ipv4",
    "ipv6",
    "word",
    "words",
    "sentence",
    "title",
    "city",
    "country",
    "address",
    "zip",
    "date",
    "datetime",
    "time",
    "password",
];

/// A string from the generator called `generator` (one of `GENERATORS`).
pub fn generated(generator: &str, rng: &mut SmallRng) -> Option<String> {
    Some(match generator {
        "email" => email(rng),
        "uuid" => uuid(rng),
        "name" => Name().fake_with_rng(rng),
        "first_name" => FirstName().fake_with_rng(rng),
        "last_name" => LastName().fake_with_rng(rng),
        "username" => Username().fake_with_rng(rng),
        "url" => url(rng),
        "word" => word(rng),
        "words" => Words(2..5).fake_with_rng::<Vec<String>, _>(rng).join(" "),
        "sentence" => Sentence(5..12).fake_with_rng(rng),
        "datetime" => date_time(rng),
        // The rest are the format- and name-steered fakes.
        "phone" | "title" | "city" | "country" | "address" | "zip" => text_for(generator, rng),
        "hostname" | "ipv4" | "ipv6" | "date" | "time" | "password" => by_format(generator, rng)?,
        _ => return None,
    })
}

/// The length of every drawn embedding: one for the whole run, since a vector store
/// takes a collection's dimension from its first vector and refuses any other.
pub const VECTOR_DIMENSION: usize = 4;

/// Whether an untyped value's name says it is an embedding (`embedding`, `vector`,
/// `query_embedding`, the items of `embeddings`).
pub fn is_vector_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    let name = name.strip_suffix('s').unwrap_or(&name);
    name.ends_with("embedding") || name == "vector" || name.ends_with("_vector")
}

/// An embedding: [`VECTOR_DIMENSION`] numbers in [-1, 1].
pub fn vector(rng: &mut SmallRng) -> Value {
    (0..VECTOR_DIMENSION)
        .map(|_| Value::from((rng.random_range(-1.0..=1.0f64) * 1000.0).round() / 1000.0))
        .collect()
}

/// Whether a free-form map's name says it holds labels anyone may add (`metadata`,
/// `tags`, `labels`, `annotations`, `attributes`, `extra`), which apps often refuse
/// empty.
pub fn is_label_map_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    let base = name.strip_prefix("new_").unwrap_or(&name);
    [
        "metadata",
        "meta",
        "tags",
        "labels",
        "annotations",
        "attributes",
        "extra",
    ]
    .iter()
    .any(|label| base == *label || base.ends_with(&format!("_{label}")))
}

/// One lower-case word.
pub fn word(rng: &mut SmallRng) -> String {
    Word().fake_with_rng(rng)
}

/// An address that every email validator accepts (`example.com` is reserved for this).
fn email(rng: &mut SmallRng) -> String {
    let first: String = FirstName().fake_with_rng(rng);
    let last: String = LastName().fake_with_rng(rng);
    let clean = |s: &str| {
        s.chars()
            .filter(char::is_ascii_alphabetic)
            .collect::<String>()
            .to_ascii_lowercase()
    };
    format!(
        "{}.{}{}@example.com",
        clean(&first),
        clean(&last),
        rng.random_range(1..1000)
    )
}

/// A random version-4 UUID drawn from the user's generator (so a seed replays it).
fn uuid(rng: &mut SmallRng) -> String {
    uuid::Builder::from_random_bytes(rng.random())
        .into_uuid()
        .to_string()
}

fn url(rng: &mut SmallRng) -> String {
    format!("https://example.com/{}", word(rng))
}

/// An RFC 3339 time in 2024–2026.
fn date_time(rng: &mut SmallRng) -> String {
    format!(
        "{}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        rng.random_range(2024..2027),
        rng.random_range(1..13),
        rng.random_range(1..29),
        rng.random_range(0..24),
        rng.random_range(0..60),
        rng.random_range(0..60)
    )
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().collect::<String>() + chars.as_str(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn names_steer_the_fake() {
        let mut rng = SmallRng::seed_from_u64(3);
        assert!(text_for("reporter_email", &mut rng).ends_with("@example.com"));
        assert_eq!(text_for("session_id", &mut rng).len(), 36);
        assert!(text_for("phone", &mut rng).starts_with("+1 555 "));
        assert!(string_for("x", Some("uri"), &mut rng).starts_with("https://"));
        let date = string_for("x", Some("date"), &mut rng);
        assert_eq!(date.len(), 10, "{date}");
    }

    #[test]
    fn every_listed_generator_makes_a_value() {
        let mut rng = SmallRng::seed_from_u64(5);
        for name in GENERATORS {
            let made = generated(name, &mut rng);
            assert!(made.is_some_and(|s| !s.is_empty()), "{name}");
        }
        assert!(generated("nope", &mut rng).is_none());
        assert!(generated("email", &mut rng)
            .unwrap()
            .ends_with("@example.com"));
        assert_eq!(generated("date", &mut rng).unwrap().len(), 10);
    }

    #[test]
    fn paging_names_stay_small() {
        assert_eq!(integer_range("limit"), (1, 20));
        assert_eq!(integer_range("offset"), (0, 10));
    }
}
