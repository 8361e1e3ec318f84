//! Conflict-index benchmark on synthetic, seeded party names (for `lawdesk bench conflicts`).

use std::fmt;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

use crate::index::{
    ConflictIndex, IndexError, MatterId, MatterStatus, PartyId, PartyRecord, PartyRole,
};
use crate::normalize::NameKind;

const FIRST_NAMES: &[&str] = &[
    "James",
    "Mary",
    "John",
    "Patricia",
    "Robert",
    "Jennifer",
    "Michael",
    "Linda",
    "William",
    "Elizabeth",
    "David",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Charles",
    "Karen",
    "Christopher",
    "Nancy",
    "Daniel",
    "Lisa",
    "Matthew",
    "Margaret",
    "Anthony",
    "Betty",
    "Mark",
    "Sandra",
    "Donald",
    "Ashley",
    "Steven",
    "Dorothy",
    "Paul",
    "Kimberly",
    "Andrew",
    "Emily",
    "Joshua",
    "Donna",
    "Kenneth",
    "Michelle",
    "Kevin",
    "Carol",
    "Brian",
    "Amanda",
    "George",
    "Melissa",
    "Edward",
    "Deborah",
    "Ronald",
    "Stephanie",
    "Timothy",
    "Rebecca",
    "Jason",
    "Laura",
    "Jeffrey",
    "Sharon",
    "Ryan",
    "Cynthia",
    "Jacob",
    "Kathleen",
    "Gary",
    "Amy",
    "Nicholas",
    "Shirley",
    "Eric",
    "Angela",
    "Jonathan",
    "Helen",
    "Stephen",
    "Anna",
    "Larry",
    "Brenda",
    "Justin",
    "Pamela",
    "Scott",
    "Nicole",
    "Brandon",
    "Samantha",
    "Benjamin",
    "Katherine",
    "Samuel",
    "Christine",
    "Gregory",
    "Debra",
    "Alexander",
    "Rachel",
    "Frank",
    "Catherine",
    "Patrick",
    "Carolyn",
    "Raymond",
    "Janet",
    "Jack",
    "Ruth",
    "Dennis",
    "Maria",
    "Jerry",
    "Heather",
    "Tyler",
    "Diane",
    "Aaron",
    "Virginia",
    "Jose",
    "Julie",
    "Adam",
    "Joyce",
    "Henry",
    "Victoria",
    "Nathan",
    "Olivia",
    "Douglas",
    "Kelly",
    "Zachary",
    "Christina",
    "Peter",
    "Lauren",
    "Kyle",
    "Joan",
    "Walter",
    "Evelyn",
    "Ethan",
    "Judith",
    "Jeremy",
    "Megan",
    "Harold",
    "Cheryl",
    "Keith",
    "Andrea",
    "Christian",
    "Hannah",
    "Roger",
    "Martha",
    "Noah",
    "Jacqueline",
    "Gerald",
    "Frances",
    "Carl",
    "Gloria",
    "Terry",
    "Ann",
    "Sean",
    "Teresa",
    "Austin",
    "Kathryn",
    "Arthur",
    "Sara",
    "Lawrence",
    "Janice",
    "Jesse",
    "Jean",
    "Dylan",
    "Alice",
    "Bryan",
    "Madison",
    "Joe",
    "Doris",
    "Jordan",
    "Abigail",
    "Billy",
    "Julia",
    "Mohammed",
    "Fatima",
    "Wei",
    "Mei",
    "Hiroshi",
    "Yuki",
    "Sergei",
    "Olga",
    "Ahmed",
    "Aisha",
    "Carlos",
    "Sofia",
    "Luis",
    "Camila",
    "Raj",
    "Priya",
    "Ivan",
    "Natalia",
    "Omar",
    "Leila",
    "Hans",
    "Ingrid",
];

const SURNAMES: &[&str] = &[
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Carter",
    "Roberts",
    "Gomez",
    "Phillips",
    "Evans",
    "Turner",
    "Diaz",
    "Parker",
    "Cruz",
    "Edwards",
    "Collins",
    "Reyes",
    "Stewart",
    "Morris",
    "Morales",
    "Murphy",
    "Cook",
    "Rogers",
    "Gutierrez",
    "Ortiz",
    "Morgan",
    "Cooper",
    "Peterson",
    "Bailey",
    "Reed",
    "Kelly",
    "Howard",
    "Ramos",
    "Kim",
    "Cox",
    "Ward",
    "Richardson",
    "Watson",
    "Brooks",
    "Chavez",
    "Wood",
    "James",
    "Bennett",
    "Gray",
    "Mendoza",
    "Ruiz",
    "Hughes",
    "Price",
    "Alvarez",
    "Castillo",
    "Sanders",
    "Patel",
    "Myers",
    "Long",
    "Ross",
    "Foster",
    "Jimenez",
    "Powell",
    "Jenkins",
    "Perry",
    "Russell",
    "Sullivan",
    "Bell",
    "Coleman",
    "Butler",
    "Henderson",
    "Barnes",
    "Gonzales",
    "Fisher",
    "Vasquez",
    "Simmons",
    "Romero",
    "Jordan",
    "Patterson",
    "Alexander",
    "Hamilton",
    "Graham",
    "Reynolds",
    "Griffin",
    "Wallace",
    "Moreno",
    "West",
    "Cole",
    "Hayes",
    "Bryant",
    "Herrera",
    "Gibson",
    "Ellis",
    "Tran",
    "Medina",
    "Aguilar",
    "Stevens",
    "Murray",
    "Ford",
    "Castro",
    "Marshall",
    "Owens",
    "Harrison",
    "Fernandez",
    "McDonald",
    "Woods",
    "Washington",
    "Kennedy",
    "Wells",
    "Vargas",
    "Henry",
    "Chen",
    "Freeman",
    "Webb",
    "Tucker",
    "Guzman",
    "Burns",
    "Crawford",
    "Olson",
    "Simpson",
    "Porter",
    "Hunter",
    "Gordon",
    "Mendez",
    "Silva",
    "Shaw",
    "Snyder",
    "Mason",
    "Dixon",
    "Munoz",
    "Hunt",
    "Hicks",
    "Holmes",
    "Palmer",
    "Wagner",
    "Black",
    "Robertson",
    "Boyd",
    "Rose",
    "Stone",
    "Salazar",
    "Fox",
    "Warren",
    "Mills",
    "Meyer",
    "Rice",
    "Schmidt",
    "Garza",
    "Daniels",
    "Ferguson",
    "Nichols",
    "Stephens",
    "Soto",
    "Weaver",
    "Ryan",
    "Gardner",
    "Payne",
    "Grant",
    "Dunn",
    "Kelley",
    "Spencer",
    "Hawkins",
    "Arnold",
    "Pierce",
    "Vazquez",
    "Hansen",
    "Peters",
    "Santos",
    "Hart",
    "Bradley",
    "Knight",
    "Elliott",
    "Cunningham",
    "Duncan",
    "Armstrong",
    "Hudson",
    "Carroll",
    "Lane",
    "Riley",
    "Andrews",
    "Alvarado",
    "Ray",
    "Delgado",
    "Berry",
    "Perkins",
    "Hoffman",
    "Johnston",
    "Matthews",
    "Pena",
    "Richards",
    "Contreras",
    "Willis",
    "Carpenter",
    "Lawrence",
    "Sandoval",
    "Guerrero",
    "George",
    "Chapman",
    "Rios",
    "Estrada",
    "Ortega",
    "Watkins",
    "Greene",
    "Nunez",
    "Wheeler",
    "Valdez",
    "Harper",
    "Burke",
    "Larson",
    "Santiago",
    "Maldonado",
    "Morrison",
    "Franklin",
    "Carlson",
    "Austin",
    "Dominguez",
    "Carr",
    "Lawson",
    "Jacobs",
    "O'Brien",
    "Lynch",
    "Singh",
    "Vega",
    "Bishop",
    "Montgomery",
    "Oliver",
    "Jensen",
    "Harvey",
    "Williamson",
    "Gilbert",
    "Dean",
    "Sims",
    "Espinoza",
    "Howell",
    "Li",
    "Wong",
    "Reid",
    "Hanson",
    "Le",
    "McCoy",
    "Garrett",
    "Burton",
    "Fuller",
    "Wang",
    "Weber",
    "Welch",
    "Rojas",
    "Lucas",
    "Marquez",
    "Fields",
    "Park",
    "Yang",
    "Little",
    "Banks",
    "Padilla",
    "Day",
    "Walsh",
    "Bowman",
    "Schultz",
    "Luna",
    "Fowler",
    "Mejia",
    "Davidson",
    "Acosta",
    "Brewer",
    "May",
    "Holland",
    "Juarez",
    "Newman",
    "Pearson",
    "Curtis",
    "Cortez",
    "Douglas",
    "Schneider",
    "Joseph",
    "Barrett",
    "Navarro",
    "Figueroa",
    "Keller",
    "Avila",
    "Wade",
    "Molina",
    "Stanley",
    "Hopkins",
    "Campos",
    "Barnett",
    "Bates",
    "Chambers",
    "Caldwell",
    "Beck",
    "Lambert",
    "Miranda",
    "Byrd",
    "Craig",
    "Ayala",
    "Lowe",
    "Frazier",
    "Powers",
    "Neal",
    "Leonard",
    "Gregory",
    "Carrillo",
    "Sutton",
    "Fleming",
    "Rhodes",
    "Shelton",
    "Schwartz",
    "Norris",
    "Jennings",
    "Watts",
    "Duran",
    "Walters",
    "Cohen",
    "McDaniel",
    "Moran",
    "Parks",
    "Steele",
    "Vaughn",
    "Becker",
    "Holt",
    "Deleon",
    "Barker",
    "Terry",
    "Hale",
    "Leon",
    "Hail",
    "Benson",
    "Haynes",
    "Horton",
    "Miles",
    "Lyons",
    "Pham",
    "Graves",
    "Bush",
    "Thornton",
    "Wolfe",
    "Warner",
    "Cabrera",
    "McKinney",
    "Mann",
    "Zimmerman",
    "Dawson",
    "Lara",
    "Fletcher",
    "Page",
    "McCarthy",
    "Ivanov",
    "Petrov",
    "Kowalski",
    "Nowak",
    "Müller",
    "Schröder",
    "Rossi",
    "Bianchi",
    "Dubois",
    "Moreau",
    "Yamamoto",
    "Tanaka",
    "Nakamura",
    "Suzuki",
    "Al-Rashid",
    "Haddad",
    "Khoury",
    "Okafor",
    "Mensah",
];

const ORG_WORDS: &[&str] = &[
    "Acme",
    "Apex",
    "Summit",
    "Pinnacle",
    "Horizon",
    "Meridian",
    "Atlas",
    "Vertex",
    "Cascade",
    "Sterling",
    "Beacon",
    "Harbor",
    "Liberty",
    "Pioneer",
    "Keystone",
    "Evergreen",
    "Redwood",
    "Silverline",
    "Bluewater",
    "Northstar",
    "Crescent",
    "Granite",
    "Ironwood",
    "Lakeside",
    "Riverbend",
    "Oakmont",
    "Westfield",
    "Eastgate",
    "Southport",
    "Highland",
    "Golden",
    "Crystal",
    "Phoenix",
    "Falcon",
    "Eagle",
    "Orion",
    "Titan",
    "Nova",
    "Quantum",
    "Fusion",
    "Vector",
    "Matrix",
    "Nexus",
    "Zenith",
    "Aurora",
    "Polaris",
    "Sapphire",
    "Emerald",
    "Cobalt",
    "Copper",
    "Union",
    "Continental",
    "Pacific",
    "Atlantic",
    "Midwest",
    "Central",
    "Coastal",
    "Metro",
    "Capitol",
    "Frontier",
    "Heritage",
    "Legacy",
    "Premier",
    "Prime",
];

const ORG_SECTORS: &[&str] = &[
    "Holdings",
    "Industries",
    "Logistics",
    "Capital",
    "Partners",
    "Technologies",
    "Systems",
    "Energy",
    "Pharmaceuticals",
    "Foods",
    "Construction",
    "Realty",
    "Insurance",
    "Bank",
    "Media",
    "Solutions",
    "Manufacturing",
    "Shipping",
    "Mining",
    "Healthcare",
    "Consulting",
    "Motors",
    "Airlines",
    "Textiles",
];

const LEGAL_FORMS: &[&str] = &[
    "Inc.",
    "LLC",
    "L.L.C.",
    "Corp.",
    "Corporation",
    "Ltd.",
    "Limited",
    "GmbH",
    "S.A.",
    "AG",
    "PLC",
    "LLP",
];

fn pick<'a>(rng: &mut StdRng, list: &[&'a str]) -> &'a str {
    list[rng.random_range(0..list.len())]
}

fn person_name(rng: &mut StdRng) -> String {
    let first = pick(rng, FIRST_NAMES);
    let last = pick(rng, SURNAMES);
    if rng.random_bool(0.3) {
        let middle = pick(rng, FIRST_NAMES);
        if rng.random_bool(0.5) {
            return format!("{first} {} {last}", &middle[..1]);
        }
        return format!("{first} {middle} {last}");
    }
    if rng.random_bool(0.15) {
        // Double-barrelled surnames are common enough to matter for tokenization.
        return format!("{first} {last}-{}", pick(rng, SURNAMES));
    }
    format!("{first} {last}")
}

fn org_name(rng: &mut StdRng) -> String {
    let head = if rng.random_bool(0.4) { pick(rng, SURNAMES) } else { pick(rng, ORG_WORDS) };
    let form = pick(rng, LEGAL_FORMS);
    match rng.random_range(0..3) {
        0 => format!("{head} {} {form}", pick(rng, ORG_SECTORS)),
        1 => format!("{head} {} {} {form}", pick(rng, ORG_WORDS), pick(rng, ORG_SECTORS)),
        _ => format!("{head} & {} {form}", pick(rng, SURNAMES)),
    }
}

/// Deterministic synthetic party records: 70% people, 30% organizations, some aliases and corporate
/// families, a realistic mix of roles and open/closed matters.
pub fn synthetic_records(n_parties: usize, seed: u64) -> Vec<PartyRecord> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut records = Vec::with_capacity(n_parties);
    for i in 0..n_parties {
        let is_person = rng.random_bool(0.7);
        let name = if is_person { person_name(&mut rng) } else { org_name(&mut rng) };
        let mut aliases = Vec::new();
        if rng.random_bool(0.1) {
            aliases.push(if is_person { person_name(&mut rng) } else { org_name(&mut rng) });
        }
        let role = match rng.random_range(0..10) {
            0..=3 => PartyRole::Client,
            4..=7 => PartyRole::AdverseParty,
            8 => PartyRole::ProspectiveClient,
            _ => PartyRole::Other,
        };
        let mut related_org_ids = Vec::new();
        if !is_person && i > 0 && rng.random_bool(0.2) {
            related_org_ids.push(PartyId(rng.random_range(0..i) as u64));
        }
        records.push(PartyRecord {
            party_id: PartyId(i as u64),
            name,
            aliases,
            kind: if is_person { NameKind::Person } else { NameKind::Organization },
            role,
            matter_id: MatterId(rng.random_range(0..(n_parties as u64 / 3).max(1))),
            matter_status: if rng.random_bool(0.6) {
                MatterStatus::Closed
            } else {
                MatterStatus::Open
            },
            is_prospective: role == PartyRole::ProspectiveClient,
            related_org_ids,
        });
    }
    records
}

/// A query and the party it was derived from (None for names that were invented afresh).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BenchQuery {
    /// The name searched.
    pub name: String,
    /// The party whose name was perturbed into `name`.
    pub source: Option<PartyId>,
}

fn typo(rng: &mut StdRng, word: &str) -> String {
    let mut chars: Vec<char> = word.chars().collect();
    if chars.len() < 4 {
        return word.to_owned();
    }
    let at = rng.random_range(1..chars.len() - 1);
    match rng.random_range(0..3) {
        0 => {
            chars.remove(at);
        }
        1 => chars.swap(at, at + 1),
        _ => chars.insert(at, chars[at]),
    }
    chars.into_iter().collect()
}

/// Deterministic queries: existing names with a typo, a nickname, reordered, upper-cased, or fresh names.
pub fn synthetic_queries(records: &[PartyRecord], n_queries: usize, seed: u64) -> Vec<BenchQuery> {
    let mut rng = StdRng::seed_from_u64(seed ^ 0x5EED_0F9E_7E50);
    (0..n_queries)
        .map(|_| {
            if records.is_empty() || rng.random_bool(0.2) {
                let name =
                    if rng.random_bool(0.7) { person_name(&mut rng) } else { org_name(&mut rng) };
                return BenchQuery { name, source: None };
            }
            let record = &records[rng.random_range(0..records.len())];
            let words: Vec<&str> = record.name.split(' ').collect();
            let name = match rng.random_range(0..5) {
                0 => record.name.clone(),
                1 => {
                    // A typo in the longest word: the surname or the distinctive part of a company name.
                    let longest = (0..words.len()).max_by_key(|i| words[*i].len()).unwrap_or(0);
                    let mut w: Vec<String> = words.iter().map(|s| (*s).to_owned()).collect();
                    w[longest] = typo(&mut rng, words[longest]);
                    w.join(" ")
                }
                2 => {
                    let mut w: Vec<String> = words.iter().map(|s| (*s).to_owned()).collect();
                    let nick = crate::variants::canonical_forms(&w[0].to_lowercase());
                    if let Some(canonical) = nick.first() {
                        w[0] = (*canonical).to_owned();
                    }
                    w.join(" ")
                }
                3 if words.len() >= 2 => {
                    format!("{}, {}", words[words.len() - 1], words[..words.len() - 1].join(" "))
                }
                _ => record.name.to_uppercase(),
            };
            BenchQuery { name, source: Some(record.party_id) }
        })
        .collect()
}

/// Benchmark figures, printable as a small table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BenchReport {
    /// Party records indexed.
    pub n_parties: usize,
    /// Names and aliases indexed.
    pub n_names: usize,
    /// Queries run.
    pub n_queries: usize,
    /// Time to build the index.
    pub build: Duration,
    /// Estimated index memory in bytes.
    pub memory_bytes: usize,
    /// Median search latency.
    pub p50: Duration,
    /// 99th-percentile search latency.
    pub p99: Duration,
    /// Slowest search.
    pub max: Duration,
    /// Mean number of hits (all groups) per query.
    pub mean_hits: f64,
    /// Share of perturbed queries whose source party was among the hits.
    pub recall: f64,
}

impl fmt::Display for BenchReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "conflict index: {} parties, {} names", self.n_parties, self.n_names)?;
        writeln!(f, "  build      {:>10.2?}", self.build)?;
        writeln!(
            f,
            "  memory     {:>10.1} MiB (estimate)",
            self.memory_bytes as f64 / (1024.0 * 1024.0)
        )?;
        writeln!(f, "  queries    {:>10}", self.n_queries)?;
        writeln!(f, "  p50        {:>10.2?}", self.p50)?;
        writeln!(f, "  p99        {:>10.2?}", self.p99)?;
        writeln!(f, "  max        {:>10.2?}", self.max)?;
        writeln!(f, "  mean hits  {:>10.1}", self.mean_hits)?;
        write!(f, "  recall     {:>10.3} (source party found for perturbed queries)", self.recall)
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

/// Builds an index of `n_parties` synthetic parties and runs `n_queries` searches against it.
pub fn run(n_parties: usize, n_queries: usize, seed: u64) -> Result<BenchReport, IndexError> {
    let records = synthetic_records(n_parties, seed);
    let queries = synthetic_queries(&records, n_queries, seed);
    let started = Instant::now();
    let index = ConflictIndex::build(records)?;
    let build = started.elapsed();

    let mut latencies = Vec::with_capacity(queries.len());
    let (mut hits, mut found, mut sourced) = (0usize, 0usize, 0usize);
    for q in &queries {
        let started = Instant::now();
        let report = index.search(&q.name);
        latencies.push(started.elapsed());
        let all_hits = report.groups.iter().flat_map(|g| &g.hits);
        hits += report.groups.iter().map(|g| g.hits.len()).sum::<usize>();
        if let Some(source) = q.source {
            sourced += 1;
            if all_hits.clone().any(|h| h.party_id == source) {
                found += 1;
            }
        }
    }
    latencies.sort();
    Ok(BenchReport {
        n_parties,
        n_names: index.name_count(),
        n_queries: queries.len(),
        build,
        memory_bytes: index.memory_bytes(),
        p50: percentile(&latencies, 0.5),
        p99: percentile(&latencies, 0.99),
        max: latencies.last().copied().unwrap_or(Duration::ZERO),
        mean_hits: if queries.is_empty() { 0.0 } else { hits as f64 / queries.len() as f64 },
        recall: if sourced == 0 { 1.0 } else { found as f64 / sourced as f64 },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_data_is_deterministic() {
        assert_eq!(synthetic_records(50, 7), synthetic_records(50, 7));
        assert_ne!(synthetic_records(50, 7), synthetic_records(50, 8));
        let records = synthetic_records(50, 7);
        assert_eq!(synthetic_queries(&records, 20, 7), synthetic_queries(&records, 20, 7));
    }

    #[test]
    fn small_run_finds_most_perturbed_names() {
        let report = run(2_000, 200, 42).expect("synthetic names are never empty");
        assert_eq!(report.n_parties, 2_000);
        assert!(report.n_names >= 2_000);
        assert!(report.recall > 0.9, "recall {}", report.recall);
        assert!(report.to_string().contains("p99"));
    }
}
