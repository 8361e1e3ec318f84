//! CSV import of contacts and matters, accepting the column names of a Clio export. Bad rows are
//! reported by line and skipped; good rows are kept.

use crate::{App, AppError, ContactForm, MatterForm, Result};
use domain::{Actor, ContactKind};
use std::collections::HashMap;

#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct ImportReport {
    pub imported: usize,
    /// (line number in the file, message)
    pub errors: Vec<(u64, String)>,
}

/// Finds a column by any of its usual names, case- and space-insensitively.
fn column(headers: &HashMap<String, usize>, names: &[&str]) -> Option<usize> {
    names.iter().find_map(|n| headers.get(&n.to_lowercase().replace([' ', '_'], "")).copied())
}

fn header_map(h: &csv::StringRecord) -> HashMap<String, usize> {
    h.iter()
        .enumerate()
        .map(|(i, name)| {
            (name.trim().trim_start_matches('\u{feff}').to_lowercase().replace([' ', '_'], ""), i)
        })
        .collect()
}

fn get(r: &csv::StringRecord, col: Option<usize>) -> &str {
    col.and_then(|c| r.get(c)).unwrap_or("").trim()
}

impl App {
    pub async fn import_contacts(
        &self,
        actor: &Actor,
        data: &[u8],
        mut progress: impl FnMut(u64),
    ) -> Result<ImportReport> {
        self.require(actor, domain::Action::ImportData)?;
        let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(data);
        let headers = header_map(rdr.headers().map_err(|e| AppError::Invalid {
            field: "file".into(),
            message: format!("cannot read the header row: {e}"),
        })?);
        let name = column(&headers, &["Name", "Full Name", "Display Name"]);
        let first = column(&headers, &["First Name"]);
        let last = column(&headers, &["Last Name"]);
        let company = column(&headers, &["Company", "Company Name", "Organization"]);
        let kind_col = column(&headers, &["Type", "Contact Type"]);
        let email =
            column(&headers, &["Email", "Email Address", "Primary Email Address", "E-mail"]);
        let phone = column(&headers, &["Phone", "Phone Number", "Primary Phone Number"]);
        let address = column(&headers, &["Address", "Primary Address", "Street"]);
        let aliases = column(&headers, &["Aliases", "Also Known As", "AKA"]);
        if name.is_none() && first.is_none() && last.is_none() && company.is_none() {
            return Err(AppError::Invalid {
                field: "file".into(),
                message: "no name column: expected Name, First Name/Last Name or Company".into(),
            });
        }
        let mut report = ImportReport::default();
        for (i, rec) in rdr.records().enumerate() {
            let line = i as u64 + 2;
            progress(line);
            let rec = match rec {
                Ok(r) => r,
                Err(e) => {
                    report.errors.push((line, format!("unreadable row: {e}")));
                    continue;
                }
            };
            let person = [get(&rec, first), get(&rec, last)]
                .iter()
                .filter(|s| !s.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join(" ");
            let org = get(&rec, company);
            let explicit = get(&rec, name);
            let kind = match get(&rec, kind_col).to_lowercase().as_str() {
                "company" | "organization" | "organisation" => ContactKind::Organization,
                "person" | "individual" => ContactKind::Person,
                _ if person.is_empty() && !org.is_empty() => ContactKind::Organization,
                _ => ContactKind::Person,
            };
            let display = if !explicit.is_empty() {
                explicit.to_string()
            } else if kind == ContactKind::Organization {
                org.to_string()
            } else {
                person
            };
            let form = ContactForm {
                kind: kind.as_str().into(),
                name: display,
                aliases: get(&rec, aliases).into(),
                emails: get(&rec, email).into(),
                phones: get(&rec, phone).into(),
                addresses: get(&rec, address).into(),
                ..Default::default()
            };
            match self.create_contact(actor, &form).await {
                Ok(_) => report.imported += 1,
                Err(AppError::Invalid { field, message }) => {
                    report.errors.push((line, format!("{field}: {message}")))
                }
                Err(e) => return Err(e),
            }
        }
        Ok(report)
    }

    pub async fn import_matters(
        &self,
        actor: &Actor,
        data: &[u8],
        mut progress: impl FnMut(u64),
    ) -> Result<ImportReport> {
        self.require(actor, domain::Action::ImportData)?;
        let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(data);
        let headers = header_map(rdr.headers().map_err(|e| AppError::Invalid {
            field: "file".into(),
            message: format!("cannot read the header row: {e}"),
        })?);
        let title = column(&headers, &["Description", "Title", "Matter Name", "Matter"]);
        let client = column(&headers, &["Client", "Client Name"]);
        let area = column(&headers, &["Practice Area"]);
        let opened = column(&headers, &["Open Date", "Opened", "Opened On"]);
        let case = column(&headers, &["Case Number", "Docket Number"]);
        let court = column(&headers, &["Court"]);
        if title.is_none() || client.is_none() {
            return Err(AppError::Invalid {
                field: "file".into(),
                message: "expected at least the columns Description (or Title) and Client".into(),
            });
        }
        let mut report = ImportReport::default();
        let (clients, _) = self.store.list_clients(None, store::Page::new(1, 200)).await?;
        let mut by_name: HashMap<String, domain::Id> =
            clients.iter().map(|c| (c.name.to_lowercase(), c.id)).collect();
        for (i, rec) in rdr.records().enumerate() {
            let line = i as u64 + 2;
            progress(line);
            let rec = match rec {
                Ok(r) => r,
                Err(e) => {
                    report.errors.push((line, format!("unreadable row: {e}")));
                    continue;
                }
            };
            let client_name = get(&rec, client);
            if client_name.is_empty() {
                report.errors.push((line, "Client is empty".into()));
                continue;
            }
            let client_id = match by_name.get(&client_name.to_lowercase()) {
                Some(id) => *id,
                None => {
                    let code: String = client_name
                        .chars()
                        .filter(|c| c.is_ascii_alphanumeric())
                        .take(8)
                        .collect::<String>()
                        .to_uppercase();
                    let code = format!(
                        "{}{}",
                        if code.is_empty() { "C".into() } else { code },
                        by_name.len() + 1
                    );
                    match self
                        .create_client(actor, None, client_name, ContactKind::Organization, &code)
                        .await
                    {
                        Ok(c) => {
                            by_name.insert(client_name.to_lowercase(), c.id);
                            c.id
                        }
                        Err(AppError::Invalid { field, message }) => {
                            report.errors.push((line, format!("{field}: {message}")));
                            continue;
                        }
                        Err(e) => return Err(e),
                    }
                }
            };
            // Clio writes dates as MM/DD/YYYY; accept that and ISO dates.
            let raw_date = get(&rec, opened);
            let opened_on = chrono::NaiveDate::parse_from_str(raw_date, "%m/%d/%Y")
                .map(|d| d.to_string())
                .unwrap_or_else(|_| raw_date.to_string());
            let form = MatterForm {
                client_id: client_id.to_string(),
                title: get(&rec, title).into(),
                practice_area: get(&rec, area).into(),
                court: get(&rec, court).into(),
                case_number: get(&rec, case).into(),
                opened_on,
                ..Default::default()
            };
            match self.create_matter(actor, &form).await {
                Ok(_) => report.imported += 1,
                Err(AppError::Invalid { field, message }) => {
                    report.errors.push((line, format!("{field}: {message}")))
                }
                Err(e) => return Err(e),
            }
        }
        Ok(report)
    }
}
